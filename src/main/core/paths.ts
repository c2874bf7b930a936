/**
 * Where Trove keeps its data by default. The CLI and the desktop app use the same per-user folders
 * (XDG on Linux, Application Support on macOS, AppData on Windows), so both see one library.
 */
import envPaths from 'env-paths';
import { join } from 'node:path';

const paths = envPaths('trove', { suffix: '' });

export function defaultLibraryDir(): string {
  return process.env.TROVE_LIBRARY_DIR ?? paths.data;
}

/** Downloaded and imported models; shared by every library of the user. */
export function defaultModelCacheDir(): string {
  return process.env.TROVE_MODEL_CACHE ?? join(paths.cache, 'models');
}

export function libraryFiles(libraryDir: string) {
  return {
    database: join(libraryDir, 'library.db'),
    indexDir: join(libraryDir, 'indexes'),
    thumbnails: join(libraryDir, 'thumbnails'),
    backups: join(libraryDir, 'backups'),
    // A SQLite file held in an exclusive transaction (see LibraryLock); the name of older versions'
    // pid file (indexer.lock) is not reused.
    lock: join(libraryDir, 'indexer-lock.db'),
  };
}
