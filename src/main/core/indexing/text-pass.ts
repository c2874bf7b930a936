/**
 * Reading the words in pictures, after the pictures are embedded (so searching by meaning never
 * waits for it): every picture not read yet is read once (media/ocr) and its lines stored with their
 * boxes (store/text-repo). A picture that cannot be read is stored as holding no text, so it is not
 * tried again and again; a changed file is a new content and is read anew.
 */
import type { ModelManager } from '../models/model-manager.js';
import type { LibraryStore } from '../store/library-store.js';
import type { Pauser } from './pauser.js';
import { RunProgress, type IndexProgress } from './run-progress.js';
import type { RunTally } from './run-tally.js';

const BATCH = 16;

export async function readTextInPictures(
  store: LibraryStore,
  models: ModelManager,
  pauser: Pauser,
  options: { signal?: AbortSignal; tally: RunTally; onProgress?: (p: IndexProgress) => void },
): Promise<{ read: number; withText: number }> {
  if (store.text.unreadCount() === 0) return { read: 0, withText: 0 };
  const reader = await models.textReader();
  const progress = new RunProgress(pauser, options.tally, options.onProgress);
  let read = 0;
  let withText = 0;
  for (;;) {
    await progress.pausePoint(options.signal);
    if (options.signal?.aborted) break;
    const batch = store.text.unread(BATCH);
    if (batch.length === 0) break;
    for (const { contentId, path } of batch) {
      if (options.signal?.aborted) break;
      progress.working(path);
      progress.report();
      let result: Awaited<ReturnType<typeof reader.read>>;
      try {
        result = await reader.read(path);
      } catch {
        result = { lines: [], width: 0, height: 0, truncated: false };
      }
      store.text.set(contentId, {
        lines: result.lines.map((l) => ({ text: l.text, confidence: l.confidence, box: [l.box.left, l.box.top, l.box.width, l.box.height] })),
        width: result.width,
        height: result.height,
        truncated: result.truncated,
      });
      read += 1;
      if (result.lines.length > 0) withText += 1;
    }
  }
  progress.finish(Boolean(options.signal?.aborted));
  return { read, withText };
}
