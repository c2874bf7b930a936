/**
 * Turns clusters of alike contents into the groups the review screen shows: every ready file of the
 * cluster's contents, a suggested keeper, and each member's likeness to the keeper.
 */
import type { DuplicateMember as ApiDuplicateMember } from '../../../shared/api.js';
import type { FingerprintRepo, GroupFile } from '../store/fingerprint-repo.js';
import { chooseKeeper } from './keeper.js';

export type { GroupFile } from '../store/fingerprint-repo.js';

/** A file of a group, as the API describes it (less its display name and the review's mark). */
export type DuplicateMember = Omit<ApiDuplicateMember, 'name' | 'marked'>;

export interface DuplicateGroup {
  kind: 'exact' | 'near';
  /** The contents the group holds (its identity for "not duplicates"). */
  contents: number[];
  media: 'photo' | 'audio' | 'video';
  /** The lowest likeness of a member to the keeper. */
  similarity: number;
  keeper: number;
  /** Why that one is suggested, in words ("taken first, camera original"). */
  keeperReason: string;
  members: DuplicateMember[];
}

export interface GroupingRules {
  media: DuplicateGroup['media'];
  /** Likeness (0..1) of a content to the keeper's content. */
  likeness: (keeperContent: number, content: number) => number;
}

export function buildGroups(prints: FingerprintRepo, clusters: number[][], rules: GroupingRules): DuplicateGroup[] {
  const groups: DuplicateGroup[] = [];
  for (const cluster of clusters) {
    const files = cluster.flatMap((contentId) => prints.readyFiles(contentId).map((file) => ({ contentId, file })));
    if (files.length < 2) continue;
    const choice = chooseKeeper(files.map((f) => f.file));
    const keeper = files.find((f) => f.file === choice.keeper)!;
    const members: DuplicateMember[] = files.map(({ contentId, file }) => ({
      fileId: file.id,
      path: file.path,
      width: file.width,
      height: file.height,
      bytes: file.size,
      date: file.taken_at ?? file.mtime_ms,
      similarity: contentId === keeper.contentId ? 1 : round(rules.likeness(keeper.contentId, contentId)),
    }));
    groups.push({
      kind: cluster.length === 1 ? 'exact' : 'near',
      contents: [...cluster],
      media: rules.media,
      similarity: Math.min(...members.map((m) => m.similarity)),
      keeper: keeper.file.id,
      keeperReason: choice.reason,
      members,
    });
  }
  return groups;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/**
 * Contents indexed before their fingerprint existed get one now, once: `fill` reads the given ready
 * file and stores the fingerprint. A file unreadable now simply takes no part in duplicate finding.
 */
export async function backfillFingerprints(
  missing: { id: number; path: string }[],
  fill: (contentId: number, path: string) => Promise<void>,
  options: { signal?: AbortSignal; onProgress?: (done: number, total: number, phase: 'fingerprints') => void },
): Promise<void> {
  for (const [done, { id, path }] of missing.entries()) {
    if (options.signal?.aborted) throw new Error('stopped');
    try {
      await fill(id, path);
    } catch {
      // Unreadable now.
    }
    if (done % 20 === 0) options.onProgress?.(done, missing.length, 'fingerprints');
  }
}
