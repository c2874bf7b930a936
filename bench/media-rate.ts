/**
 * Seconds of video and of recordings indexed per second of wall time (issue 13): a fresh library of
 * ../shared/media/video indexed with the full-size CLIP ViT-B/32 (random weights, the real compute:
 * frames sampled at scene changes and every few seconds, each embedded, plus frame fingerprints for
 * duplicates), and one of ../shared/media/audio indexed with EfficientAT (a real audio model).
 * Words in pictures are not read (their own bench, `--only ocr`).
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultInferenceThreads, Engine } from '../src/main/core/engine.js';
import { probeMedia } from '../src/main/core/media/ffmpeg.js';

export interface MediaRateResult {
  kind: 'video' | 'recording';
  model: string;
  files: number;
  mediaSeconds: number;
  wallSeconds: number;
  /** Seconds of media indexed per second of wall time. */
  secondsPerSecond: number;
}

function mediaFiles(dir: string, extensions: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return mediaFiles(path, extensions);
    return extensions.test(name) ? [path] : [];
  });
}

export async function measureMediaRate(
  kind: MediaRateResult['kind'],
  folder: string,
  modelsDirs: string[],
  models: { model: string; audioModel?: string },
): Promise<MediaRateResult> {
  process.env.TROVE_MODELS_DIR = modelsDirs.join(':');
  const files = mediaFiles(folder, kind === 'video' ? /\.(mp4|webm|mov|mkv)$/i : /\.(wav|mp3|flac|ogg|m4a)$/i);
  let mediaSeconds = 0;
  for (const file of files) mediaSeconds += (await probeMedia(file)).durationS ?? 0;
  const lib = mkdtempSync(join(tmpdir(), 'trove-bench-rate-'));
  const engine = Engine.open({ libraryDir: lib, offline: true, modelCacheDir: join(lib, 'models'), threads: defaultInferenceThreads() });
  try {
    engine.settings.update({ readText: false, ...(kind === 'video' ? { audioModel: null } : {}) });
    engine.folders.add(folder);
    await engine.indexer.useModel(models.model); // loading the model is a one-time cost, not throughput
    const start = performance.now();
    const summary = await engine.indexer.index(models);
    const wallSeconds = (performance.now() - start) / 1000;
    if (summary.failed > 0) throw new Error(`${summary.failed} files failed`);
    const model = kind === 'video' ? models.model : (models.audioModel ?? models.model);
    return { kind, model, files: files.length, mediaSeconds, wallSeconds, secondsPerSecond: mediaSeconds / wallSeconds };
  } finally {
    await engine.close();
    rmSync(lib, { recursive: true, force: true });
  }
}
