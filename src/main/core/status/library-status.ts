/**
 * What the library holds and how it is doing: folders with their counts, files by status, models
 * with their vectors and waiting work, per-file errors and folder problems. One read model that the
 * CLI's `status` and the app's status bar both show.
 */
import type { StoredPlace } from '../store/place-repo.js';
import type { LibraryStore } from '../store/library-store.js';
import type { Settings } from '../store/settings-repo.js';
import type { FileDetailsRow, FolderCounts, WaitingModels } from '../store/library-queries.js';
import type { Tag } from '../store/vector-repo.js';
import type { ContentText } from '../store/text-repo.js';
import { UNREACHABLE_FOLDER } from '../library/library-scan.js';
import { CostlyValue } from '../util/costly-value.js';

export interface LibraryStatus {
  libraryDir: string;
  folders: ({ path: string } & FolderCounts)[];
  files: Record<'pending' | 'ready' | 'error' | 'missing', number>;
  contents: number;
  models: { name: string; dim: number; vectors: number; pendingJobs: number }[];
  pendingIngest: number;
  errors: { path: string; error: string }[];
  scanIssues: { path: string; error: string }[];
  settings: Settings;
}

/** The counts that read every file's (or vector's) row. */
interface LibraryCounts {
  folders: Map<number, FolderCounts>;
  files: LibraryStatus['files'];
  contents: number;
  /** Vectors by model id. */
  vectors: Map<number, number>;
}

export class LibraryStatusReader {
  private readonly counts: CostlyValue<LibraryCounts>;

  constructor(
    private readonly store: LibraryStore,
    private readonly libraryDir: string,
    /** Whether an indexing run is changing the files' states now. */
    private readonly indexing: () => boolean = () => false,
    clock?: () => number,
  ) {
    // Under 20 ms (a library of some 10,000 files), counted afresh on every read, as it always was.
    this.counts = new CostlyValue(() => this.countAll(), { share: 0.05, negligibleMs: 20, clock });
  }

  /** `errorLimit` caps the per-file errors listed (the count is always whole); Infinity lists all. */
  read(options: { errorLimit?: number } = {}): LibraryStatus {
    const { store } = this;
    const counts = this.currentCounts();
    const none: FolderCounts = { files: 0, ready: 0, errors: 0, pending: 0, missing: 0 };
    return {
      libraryDir: this.libraryDir,
      folders: store.folders.list().map((folder) => ({ path: folder.path, ...(counts.folders.get(folder.id) ?? none) })),
      files: counts.files,
      contents: counts.contents,
      models: store.vectors.modelNames().map((m) => ({
        name: m.name,
        dim: m.dim,
        vectors: counts.vectors.get(m.id) ?? 0,
        pendingJobs: store.jobs.pendingForModel(m.id),
      })),
      pendingIngest: store.jobs.pending('ingest'),
      errors: store.files.errors(options.errorLimit ?? 1000),
      scanIssues: store.scanIssues.list(),
      settings: store.settings.get(),
    };
  }

  /**
   * While indexing runs, the app asks for the status every second or two, and the counts took 0.4 s
   * at 200,000 files, 2 s at a million: then they are kept for twenty times what they cost
   * (util/costly-value). Otherwise, and once the run is over, they are counted afresh on every read.
   */
  private currentCounts(): LibraryCounts {
    return this.counts.get(!this.indexing());
  }

  private countAll(): LibraryCounts {
    const { store } = this;
    return {
      folders: store.queries.folderCounts(this.libraryModels()),
      files: store.files.countByStatus(),
      contents: store.contents.count(),
      vectors: new Map(store.vectors.modelNames().map((m) => [m.id, store.vectors.count(m.id)])),
    };
  }

  /** The library's chosen models: a file waits until each that applies to it has embedded it. */
  private libraryModels(): WaitingModels {
    const { imageModel, audioModel } = this.store.settings.get();
    const id = (name: string) => this.store.vectors.findModel(name)?.id ?? -1;
    return { image: id(imageModel), audio: audioModel ? id(audioModel) : null };
  }

  /** How many files are indexed and ready to be found. */
  readyCount(): number {
    // Between runs, only the files by status (an index): the other counts would cost a second more at a million files.
    return this.indexing() ? this.currentCounts().files.ready : this.store.files.countByStatus().ready;
  }

  /** Files that could not be read, and folder problems, the first `limit` of each. */
  problems(limit: number): { errors: { path: string; error: string }[]; scanIssues: { path: string; error: string }[] } {
    return { errors: this.store.files.errors(limit), scanIssues: this.store.scanIssues.list(limit) };
  }

  /** One file's record, with its strongest tags under the given model. */
  fileDetails(
    fileId: number,
    tagModelId?: number,
  ):
    | (FileDetailsRow & {
        tags: Tag[];
        text: ContentText | undefined;
        rawCompanions: string[];
        place: StoredPlace | undefined;
        liveMotion: number | undefined;
      })
    | undefined {
    const row = this.store.queries.fileDetails(fileId);
    if (!row) return undefined;
    const tags = tagModelId !== undefined && row.content_id ? this.store.vectors.tagsOfContent(tagModelId, row.content_id).slice(0, 5) : [];
    const text = row.content_id ? this.store.text.of(row.content_id) : undefined;
    const place = row.content_id ? this.store.places.of(row.content_id) : undefined;
    return {
      ...row,
      tags,
      text,
      rawCompanions: this.store.queries.rawCompanions(fileId),
      place,
      liveMotion: this.store.queries.liveMotion(fileId),
    };
  }

  /** Library folders whose last scan found them unreachable. */
  unreachableFolders(): Set<string> {
    return new Set(
      this.store.scanIssues
        .list()
        .filter((i) => i.error === UNREACHABLE_FOLDER)
        .map((i) => i.path),
    );
  }
}
