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

export class LibraryStatusReader {
  constructor(
    private readonly store: LibraryStore,
    private readonly libraryDir: string,
  ) {}

  /** `errorLimit` caps the per-file errors listed (the count is always whole); Infinity lists all. */
  read(options: { errorLimit?: number } = {}): LibraryStatus {
    const { store } = this;
    return {
      libraryDir: this.libraryDir,
      folders: this.folderCounts(),
      files: store.files.countByStatus(),
      contents: store.contents.count(),
      models: store.vectors.modelNames().map((m) => ({
        name: m.name,
        dim: m.dim,
        vectors: store.vectors.count(m.id),
        pendingJobs: store.jobs.pendingForModel(m.id),
      })),
      pendingIngest: store.jobs.pending('ingest'),
      errors: store.files.errors(options.errorLimit ?? 1000),
      scanIssues: store.scanIssues.list(),
      settings: store.settings.get(),
    };
  }

  private folderCounts(): ({ path: string } & FolderCounts)[] {
    const counts = this.store.queries.folderCounts(this.libraryModels());
    const none: FolderCounts = { files: 0, ready: 0, errors: 0, pending: 0, missing: 0 };
    return this.store.folders.list().map((folder) => ({ path: folder.path, ...(counts.get(folder.id) ?? none) }));
  }

  /** The library's chosen models: a file waits until each that applies to it has embedded it. */
  private libraryModels(): WaitingModels {
    const { imageModel, audioModel } = this.store.settings.get();
    const id = (name: string) => this.store.vectors.findModel(name)?.id ?? -1;
    return { image: id(imageModel), audio: audioModel ? id(audioModel) : null };
  }

  /** How many files are indexed and ready to be found. */
  readyCount(): number {
    return this.store.files.countByStatus().ready;
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
