/**
 * Which paths a scan or the watcher skips: hidden entries (unless asked for), operating-system
 * folders (recycle bins, thumbnail caches of NAS boxes) and the user's exclude patterns.
 * Patterns are globs (picomatch); a pattern without "/" matches a name at any depth, as in .gitignore.
 */
import picomatch from 'picomatch';
import { relative, sep } from 'node:path';
import { isAtOrBelow } from '../util/paths-inside.js';

const SYSTEM_FOLDERS = new Set([
  '$RECYCLE.BIN',
  'System Volume Information',
  '@eaDir',
  'lost+found',
  '.Trash',
  '.Trashes',
  '.Spotlight-V100',
  '.fseventsd',
]);

export interface PathFilterOptions {
  excludePatterns: string[];
  includeHidden: boolean;
  /**
   * Trove's own folders (the library's database, indexes and thumbnails; the model cache): never
   * scanned, even inside a library folder, or Trove would index its own thumbnails, each viewing
   * making more.
   */
  ownFolders?: string[];
}

export class PathFilter {
  private readonly matchPath: (p: string) => boolean;
  private readonly matchName: (p: string) => boolean;

  constructor(private readonly options: PathFilterOptions) {
    const withSlash = options.excludePatterns.filter((p) => p.includes('/'));
    const bare = options.excludePatterns.filter((p) => !p.includes('/'));
    this.matchPath = withSlash.length ? picomatch(withSlash, { dot: true }) : () => false;
    this.matchName = bare.length ? picomatch(bare, { dot: true, nocase: process.platform !== 'linux' }) : () => false;
  }

  /** True when the entry `name` at `absolute` (inside `root`) should be skipped. */
  skips(root: string, absolute: string, name: string): boolean {
    if (this.isOwn(absolute)) return true;
    if (SYSTEM_FOLDERS.has(name) || name.startsWith('.Trash-')) return true;
    if (!this.options.includeHidden && name.startsWith('.')) return true;
    if (this.matchName(name)) return true;
    const rel = relative(root, absolute).split(sep).join('/');
    return rel !== '' && this.matchPath(rel);
  }

  /** Whether a path (its real path, for a folder reached through a link) is one of Trove's own. */
  isOwn(absolute: string): boolean {
    return (this.options.ownFolders ?? []).some((own) => isAtOrBelow(absolute, own));
  }

  /** Checks every segment of a path below root (the watcher reports deep paths directly). */
  skipsAnySegment(root: string, absolute: string): boolean {
    const rel = relative(root, absolute);
    if (rel.startsWith('..')) return false;
    const parts = rel.split(sep).filter(Boolean);
    let current = root;
    for (const part of parts) {
      current = `${current}${sep}${part}`;
      if (this.skips(root, current, part)) return true;
    }
    return false;
  }
}
