/**
 * The library's settings as people change them, from the CLI or the app, with one set of rules:
 * empty exclude patterns dropped, `threads: null` back to the default, `audioModel:
 * null` turning audio indexing off (kept, not dropped: dropping it would bring the default back),
 * and whether the change means indexing must start again. Offline mode is on when the library says
 * so, the process was started with --offline, or TROVE_OFFLINE=1.
 */
import type { LibraryStore } from '../store/library-store.js';
import type { Settings } from '../store/settings-repo.js';

export type { Settings } from '../store/settings-repo.js';

export interface SettingsPatch {
  imageModel?: string;
  audioModel?: string | null;
  offline?: boolean;
  threads?: number | null;
  excludePatterns?: string[];
  includeHidden?: boolean;
  readText?: boolean;
}

export class LibrarySettings {
  constructor(
    private readonly store: LibraryStore,
    /** Offline for this process whatever the library says (--offline). */
    private readonly processOffline: boolean,
  ) {}

  get(): Settings {
    return this.store.settings.get();
  }

  update(patch: SettingsPatch): Settings {
    const { threads, excludePatterns, ...rest } = patch;
    return this.store.settings.update({
      ...rest,
      ...(threads !== undefined ? { threads: threads ?? undefined } : {}),
      ...(excludePatterns !== undefined ? { excludePatterns: excludePatterns.filter((p) => p.trim() !== '') } : {}),
    });
  }

  /** Whether going from `before` to `after` changes what gets indexed, or how. */
  static changesIndexing(before: Settings, after: Settings): boolean {
    return (
      after.imageModel !== before.imageModel ||
      after.audioModel !== before.audioModel ||
      after.includeHidden !== before.includeHidden ||
      (after.readText && !before.readText) ||
      after.offline !== before.offline ||
      JSON.stringify(after.excludePatterns) !== JSON.stringify(before.excludePatterns)
    );
  }

  isOffline(): boolean {
    return this.processOffline || process.env.TROVE_OFFLINE === '1' || this.get().offline;
  }
}
