/** Paths the tests share: the committed tiny model fixtures and the optional ../shared material. */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const FIXTURE_MODELS = join(REPO_ROOT, 'test', 'fixtures', 'models');
export const SHARED = join(REPO_ROOT, '..', 'shared');
export const SHARED_MODELS = join(SHARED, 'models');
export const SHARED_PHOTOS = join(SHARED, 'media', 'photos');

export const hasSharedPhotos = existsSync(join(SHARED_PHOTOS, 'labels.csv')) && existsSync(join(SHARED_MODELS, 'mobilenet-v2-int8'));
export const SHARED_SKIP_REASON = `../shared (real photos and models) not found at ${SHARED}: quality tests skipped`;

/** Every test library gets its own model cache, so nothing leaks in from the user's. */
export function useModelDirs(...dirs: string[]): void {
  process.env.TROVE_MODELS_DIR = dirs.join(':');
}

/**
 * The labels of ../shared/media/photos by real path (Trove reports paths with links resolved, so
 * the labels are keyed the same way).
 */
export function sharedPhotoLabels(): Map<string, string> {
  const photos = realpathSync(SHARED_PHOTOS);
  const labels = new Map<string, string>();
  for (const line of readFileSync(join(photos, 'labels.csv'), 'utf8').trim().split('\n').slice(1)) {
    const [path, label] = line.split(',');
    labels.set(join(photos, path!), label!);
  }
  return labels;
}
