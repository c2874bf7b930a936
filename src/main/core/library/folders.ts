/**
 * The library's folders: adding one (resolved, checked, never nested in another), forgetting one
 * (the files on disk are never touched), and which folders Trove must never index or serve (its own
 * data and the model cache), with the path filter every scan and watch applies.
 */
import { accessSync, closeSync, constants, openSync, realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConflictError, NotFoundError, UnprocessableError } from '../errors.js';
import type { Folder } from '../store/folder-repo.js';
import type { LibraryStore } from '../store/library-store.js';
import { describeFileError } from '../util/file-errors.js';
import { isAtOrBelow } from '../util/paths-inside.js';
import { PathFilter } from './path-filter.js';

export type { Folder } from '../store/folder-repo.js';

export interface FolderEvents {
  added(folder: Folder): void;
  removed(folder: Folder): void;
}

export class Folders {
  private readonly listeners = new Set<Partial<FolderEvents>>();

  constructor(
    private readonly store: LibraryStore,
    /** Trove's own folders: the library's data folder and the model cache. */
    private readonly own: { libraryDir: string; modelCacheDir: string },
  ) {}

  /** Follows folders added and removed in this process (the watcher does, while it runs). */
  subscribe(listener: Partial<FolderEvents>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  list(): Folder[] {
    return this.store.folders.list();
  }

  add(path: string): Folder {
    let real: string;
    try {
      real = realpathSync(resolve(path));
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      throw new UnprocessableError(`cannot add ${path}: ${missing ? 'no such folder' : describeFileError(error).message}`);
    }
    if (!statSync(real).isDirectory()) throw new UnprocessableError(`cannot add ${path}: it is not a folder`);
    // Refused now, in a sentence, rather than accepted and failing later with a raw error.
    try {
      accessSync(real, constants.R_OK | constants.X_OK);
      closeSync(openSync(real, constants.O_RDONLY | constants.O_DIRECTORY));
    } catch {
      throw new UnprocessableError(
        `cannot add ${path}: Trove may not read this folder (permission denied); allow reading it, then add it again`,
      );
    }
    const existing = this.store.folders.byPath(real);
    if (existing) return existing;
    for (const folder of this.list()) {
      if (isAtOrBelow(real, folder.path)) throw new ConflictError(`${real} is already in the library, inside ${folder.path}`);
      if (isAtOrBelow(folder.path, real)) {
        throw new ConflictError(`${real} contains the library folder ${folder.path}; remove that one first, then add ${real}`);
      }
    }
    const folder = this.store.folders.add(real);
    for (const listener of this.listeners) listener.added?.(folder);
    return folder;
  }

  /** Forgets a folder and everything indexed from it. The user's files are never touched. */
  remove(path: string): { removedFiles: number } {
    const abs = resolve(path);
    let real = abs;
    try {
      real = realpathSync(abs);
    } catch {
      // The folder may be gone from disk already; it can still be removed from the library.
    }
    const folder = this.store.folders.byPath(real) ?? this.store.folders.byPath(abs);
    if (!folder) throw new NotFoundError(`${path} is not a library folder (see \`trove status\`)`);
    const removedFiles = this.store.files.listByFolder(folder.id).length;
    this.store.folders.remove(folder.id);
    for (const listener of this.listeners) listener.removed?.(folder);
    return { removedFiles };
  }

  /** The library folder that holds a path, if any. */
  holding(path: string): Folder | undefined {
    return this.list().find((folder) => isAtOrBelow(path, folder.path));
  }

  /** The library folder and the model cache, links resolved: Trove never indexes or serves them. */
  ownFolders(): string[] {
    const real = (path: string) => {
      try {
        return realpathSync(path);
      } catch {
        return resolve(path);
      }
    };
    return [real(this.own.libraryDir), real(this.own.modelCacheDir)];
  }

  isOwnPath(path: string): boolean {
    return this.ownFolders().some((own) => isAtOrBelow(path, own));
  }

  /** What scans and the watcher skip, from the library's settings and Trove's own folders. */
  pathFilter(): PathFilter {
    const s = this.store.settings.get();
    return new PathFilter({ excludePatterns: s.excludePatterns, includeHidden: s.includeHidden, ownFolders: this.ownFolders() });
  }
}
