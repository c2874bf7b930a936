/**
 * Live Photo identifiers for what was read before they were looked for (libraries indexed before
 * migration 19), once: short .mov/.mp4 videos are probed for the identifier their QuickTime keys
 * carry, the pictures in a directory holding such a video get theirs from their EXIF, and the rest is
 * noted as having none (recordings, long videos, pictures far from any motion), so the pass is a single
 * indexed lookup from then on. New files get theirs when they are read (indexing/ingestor); pairing
 * itself is store/companions'.
 */
import { extname } from 'node:path';
import { readExif } from '../media/exif.js';
import { probeMedia } from '../media/ffmpeg.js';
import type { LibraryStore } from '../store/library-store.js';
import { LIVE_MOTION_EXTENSIONS, LIVE_MOTION_MAX_S } from '../util/media-types.js';

const BATCH = 200;

export async function identifyLivePhotos(store: LibraryStore, signal?: AbortSignal): Promise<number> {
  if (!store.contents.hasUnidentified()) return 0;
  let identified = 0;
  /** Looks at one batch of a kind (`read` says what each holds, undefined for none); false when none was left. */
  const batchOf = async (
    kind: 'image' | 'video' | 'audio',
    read: (row: { path: string | null; durationS: number | null }) => Promise<string | undefined>,
  ): Promise<boolean> => {
    const batch = store.contents.unidentified(kind, BATCH);
    const found: [number, string][] = [];
    for (const row of batch) {
      if (signal?.aborted) return false;
      // A file that cannot be read now is looked at no further: it still pairs by name.
      found.push([row.contentId, (await read(row).catch(() => undefined)) ?? '']);
    }
    // One transaction a batch: a large library's hundred thousand pictures are noted in seconds.
    store.atomically(() => {
      for (const [contentId, liveId] of found) store.contents.setLiveId(contentId, liveId);
    });
    identified += found.filter(([, liveId]) => liveId).length;
    return batch.length > 0;
  };
  const none = () => Promise.resolve(undefined);
  while (
    await batchOf('video', ({ path, durationS }) =>
      path !== null && LIVE_MOTION_EXTENSIONS.has(extname(path).toLowerCase()) && durationS !== null && durationS <= LIVE_MOTION_MAX_S
        ? probeMedia(path, signal).then((probe) => probe.liveId)
        : none(),
    )
  );
  const motionDirectories = new Set(store.contents.motionCandidatePaths().map(directoryOf));
  while (
    await batchOf('image', ({ path }) =>
      path !== null && motionDirectories.has(directoryOf(path)) ? readExif(path).then((exif) => exif.liveId) : none(),
    )
  );
  while (await batchOf('audio', none));
  return identified;
}

/** A path's directory, with its last separator (what store/companions compares). */
function directoryOf(path: string): string {
  return path.slice(0, Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}
