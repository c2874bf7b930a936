/**
 * Live watching of library folders with chokidar, debounced into batches: a burst of events (a copy
 * of 500 photos, an editor's save-by-rename) becomes one batch once the folder has been quiet for a
 * moment, and a move shows up as a removal and an addition in the same batch.
 * When the OS runs out of watches (huge trees on Linux), the watcher says so and the engine falls
 * back to periodic rescans instead of silently missing changes.
 */
import { watch, type FSWatcher } from 'chokidar';
import type { PathFilter } from './path-filter.js';
import { isAtOrBelow } from '../util/paths-inside.js';

/**
 * `folderAdded`: a folder appeared while watching. Its contents are listed again by the engine once
 * the batch settles, because chokidar lists a new folder *before* it starts watching it, and a file
 * written in that gap gets no event at all (paulmillr/chokidar#1471, still open in v5).
 */
export type WatchChange = { type: 'touched' | 'removed' | 'folderAdded'; path: string };

export interface FolderWatcherOptions {
  roots: string[];
  filter: PathFilter;
  quietMs?: number;
  maxDelayMs?: number;
  onBatch: (changes: WatchChange[]) => void;
  onDegraded: (reason: string) => void;
}

export class FolderWatcher {
  private watcher: FSWatcher;
  private pending = new Map<string, WatchChange>();
  private quietTimer: NodeJS.Timeout | undefined;
  private firstEventAt = 0;
  readonly ready: Promise<void>;

  private readonly roots: string[];

  constructor(private readonly options: FolderWatcherOptions) {
    this.roots = [...options.roots];
    const rootOf = (p: string) => this.roots.find((r) => isAtOrBelow(p, r));
    this.watcher = watch(this.roots, {
      ignoreInitial: true,
      followSymlinks: true,
      awaitWriteFinish: { stabilityThreshold: 250, pollInterval: 50 },
      ignored: (path: string) => {
        const root = rootOf(path);
        return root !== undefined && options.filter.skipsAnySegment(root, path);
      },
    });
    this.ready = new Promise((resolve) => this.watcher.once('ready', () => resolve()));
    this.watcher.on('add', (p) => this.record({ type: 'touched', path: p }));
    this.watcher.on('change', (p) => this.record({ type: 'touched', path: p }));
    this.watcher.on('unlink', (p) => this.record({ type: 'removed', path: p }));
    this.watcher.on('addDir', (p) => {
      if (!this.roots.includes(p)) this.record({ type: 'folderAdded', path: p });
    });
    this.watcher.on('unlinkDir', (p) => this.record({ type: 'removed', path: p }));
    this.watcher.on('error', (error) => {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EMFILE') {
        options.onDegraded(`the system ran out of file watches (${code}); changes are picked up by periodic rescans instead`);
      } else {
        options.onDegraded(`folder watching failed: ${(error as Error).message}`);
      }
    });
  }

  addRoot(path: string): void {
    if (this.roots.includes(path)) return;
    this.roots.push(path);
    this.watcher.add(path);
  }

  removeRoot(path: string): void {
    const i = this.roots.indexOf(path);
    if (i < 0) return;
    this.roots.splice(i, 1);
    this.watcher.unwatch(path);
  }

  private record(change: WatchChange): void {
    if (this.pending.size === 0) this.firstEventAt = Date.now();
    this.pending.set(change.path, change);
    clearTimeout(this.quietTimer);
    const quiet = this.options.quietMs ?? 400;
    const waited = Date.now() - this.firstEventAt;
    const delay = Math.max(0, Math.min(quiet, (this.options.maxDelayMs ?? 3000) - waited));
    this.quietTimer = setTimeout(() => this.flush(), delay);
  }

  private flush(): void {
    const changes = [...this.pending.values()];
    this.pending.clear();
    if (changes.length) this.options.onBatch(changes);
  }

  async close(): Promise<void> {
    clearTimeout(this.quietTimer);
    await this.watcher.close();
  }
}
