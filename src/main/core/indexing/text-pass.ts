/**
 * Reading the words in pictures and videos, after they are embedded (so searching by meaning never
 * waits for it): every picture not read yet is read once (media/ocr, in its own worker), and a
 * video at its embedded moments (scene changes and every few seconds: a title card is a scene), and
 * the lines are stored with their boxes and moments (store/text-repo). What cannot be read is stored
 * as holding no text, so it is not tried again and again; a changed file is a new content, read anew.
 */
import { extractVideoFrame, probeMedia } from '../media/ffmpeg.js';
import type { OcrResult } from '../media/ocr/ocr.js';
import type { ModelManager } from '../models/model-manager.js';
import type { LibraryStore } from '../store/library-store.js';
import type { ContentText, StoredLine } from '../store/text-repo.js';
import type { Pauser } from './pauser.js';
import { RunProgress, type IndexProgress } from './run-progress.js';
import { RunTally } from './run-tally.js';

const BATCH = 16;
/** A video is read at this many of its moments at most (spread over its length). */
const MAX_MOMENTS_READ = 40;
/** Without embedded moments (no image model yet), a video is read every this many seconds. */
const EVERY_S_WITHOUT_MOMENTS = 5;

type Reader = ReturnType<ModelManager['textReader']>;

export async function readTextInPictures(
  store: LibraryStore,
  models: ModelManager,
  pauser: Pauser,
  options: { signal?: AbortSignal; onProgress?: (p: IndexProgress) => void },
): Promise<{ read: number; withText: number }> {
  if (!store.settings.get().readText || store.text.unreadCount() === 0) return { read: 0, withText: 0 };
  // Its own count: pictures to read, after the run's files are embedded (a second, labelled step).
  const tally = new RunTally(() => store.text.unreadCount());
  const progress = new RunProgress(pauser, tally, options.onProgress, 'words');
  const reader = models.textReader();
  const next = unreadQueue(store);
  let read = 0;
  let withText = 0;
  // A few pictures in flight (the reader says how many), each lane taking the next as soon as it is
  // done: no lane waits for the slowest picture of a batch.
  const lane = async (): Promise<void> => {
    for (;;) {
      await progress.pausePoint(options.signal);
      if (options.signal?.aborted) return;
      const item = next.take();
      if (!item) return;
      const { contentId, path, kind } = item;
      try {
        progress.working(path);
        progress.report();
        let text: ContentText | undefined;
        try {
          text =
            kind === 'video' ? await readVideo(store, reader, contentId, path, options.signal) : asContentText(await reader.read(path));
        } catch (error) {
          text = options.signal?.aborted ? undefined : { lines: [], width: 0, height: 0, truncated: false, error: errorMessage(error) };
        }
        if (!text) return; // stopped half way through a video: it is read again next time
        store.text.set(contentId, text);
        read += 1;
        if (text.lines.length > 0) withText += 1;
        // The step's rate and time left (a picture that could not be read is done with all the same).
        progress.done(1, 0, path);
      } finally {
        next.done(contentId);
      }
    }
  };
  await Promise.all(Array.from({ length: reader.concurrency }, lane));
  progress.finish(Boolean(options.signal?.aborted));
  return { read, withText };
}

type Unread = ReturnType<LibraryStore['text']['unread']>[number];

/** The pictures left to read, fetched a batch at a time, never handing out one already being read. */
function unreadQueue(store: LibraryStore): { take(): Unread | undefined; done(contentId: number): void } {
  const reading = new Set<number>();
  const queue: Unread[] = [];
  return {
    take() {
      if (queue.length === 0) queue.push(...store.text.unread(BATCH + reading.size).filter((u) => !reading.has(u.contentId)));
      const item = queue.shift();
      if (item) reading.add(item.contentId);
      return item;
    },
    done(contentId) {
      reading.delete(contentId);
    },
  };
}

function errorMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300);
}

function asContentText(result: OcrResult, atS?: number): ContentText {
  return {
    lines: result.lines.map((l): StoredLine => ({
      text: l.text,
      confidence: l.confidence,
      box: [l.box.left, l.box.top, l.box.width, l.box.height],
      ...(atS !== undefined ? { atS } : {}),
    })),
    width: result.width,
    height: result.height,
    truncated: result.truncated,
  };
}

/**
 * A video's words, moment by moment; a moment showing the same words as the one before adds nothing
 * (a title held for ten seconds is one hit, at its first moment). Undefined when stopped half way.
 */
async function readVideo(
  store: LibraryStore,
  reader: Reader,
  contentId: number,
  path: string,
  signal: AbortSignal | undefined,
): Promise<ContentText | undefined> {
  const moments = await momentsToRead(store, contentId, path, signal);
  const read: ContentText = { lines: [], width: 0, height: 0, truncated: false };
  let previous = '';
  for (const atS of moments) {
    if (signal?.aborted) return undefined;
    const frame = await extractVideoFrame(path, atS, signal);
    const seen = asContentText(await reader.read(frame), atS);
    const said = seen.lines.map((l) => l.text).join('\n');
    if (said && said !== previous) read.lines.push(...seen.lines);
    previous = said;
    read.width = seen.width;
    read.height = seen.height;
    read.truncated ||= seen.truncated;
  }
  return read;
}

/** The moments the image model embedded (at most MAX_MOMENTS_READ of them, evenly), else every few seconds. */
async function momentsToRead(store: LibraryStore, contentId: number, path: string, signal: AbortSignal | undefined): Promise<number[]> {
  const imageModel = store.vectors.findModel(store.settings.get().imageModel)?.id;
  let moments = [
    ...new Set(
      store.vectors
        .placements(contentId)
        .filter((p) => p.modelId === imageModel && p.offsetS !== null)
        .map((p) => p.offsetS!),
    ),
  ].sort((a, b) => a - b);
  if (moments.length === 0) {
    const duration = (await probeMedia(path, signal)).durationS ?? 0;
    const every = Math.max(EVERY_S_WITHOUT_MOMENTS, duration / MAX_MOMENTS_READ);
    for (let at = 0; at < Math.max(duration, 0.001); at += every) moments.push(at);
  }
  if (moments.length > MAX_MOMENTS_READ) {
    const step = moments.length / MAX_MOMENTS_READ;
    moments = Array.from({ length: MAX_MOMENTS_READ }, (_, i) => moments[Math.floor(i * step)]!);
  }
  return moments;
}
