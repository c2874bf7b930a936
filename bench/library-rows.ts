/**
 * A large library written straight into its database (the benches that need hundreds of thousands
 * of photos cannot read that many files): one phone photo's rows, a ready file with its content.
 */
import { join } from 'node:path';
import type { LibraryStore } from '../src/main/core/store/library-store.js';

/** The `n`th photo of `folder` as a ready file with its own content (12 MP, dated a minute apart); returns the content's id. */
export function writeReadyPhoto(store: LibraryStore, folder: { id: number; path: string }, n: number, prefix: string): number {
  const path = join(folder.path, `${Math.floor(n / 1000)}`, `IMG_${n}.jpg`);
  const fileId = store.files.insertPending(folder.id, path, '.jpg', 3_000_000, 1_600_000_000_000 + n);
  const contentId = store.contents.insertOrGet(`${prefix}-${n}`, 3_000_000, {
    kind: 'image',
    format: 'jpeg',
    width: 4032,
    height: 3024,
    orientation: 1,
    takenAt: 1_500_000_000_000 + n * 60_000,
    cameraMake: 'Apple',
    cameraModel: 'iPhone 12',
    gpsLat: null,
    gpsLon: null,
  });
  store.files.setReady(fileId, contentId, { size: 3_000_000, mtimeMs: 1_600_000_000_000 + n, identity: `${prefix}-${n}` });
  return contentId;
}
