/** A file's tags when it is embedded in parts (windows, frames): the strongest score per label. */
import type { Tag } from '../store/vector-repo.js';

const TOP_TAGS = 5;

export function strongestTags(): { add: (tags: Tag[]) => void; top: () => Tag[] } {
  const best = new Map<string, number>();
  return {
    add: (tags) => {
      for (const tag of tags) best.set(tag.label, Math.max(best.get(tag.label) ?? 0, tag.score));
    },
    top: () =>
      [...best.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, TOP_TAGS)
        .map(([label, score]) => ({ label, score })),
  };
}
