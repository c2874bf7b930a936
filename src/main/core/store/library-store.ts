/**
 * The library's database and every repository over it: the only door to SQL. Modules receive this
 * store and call repository and query methods; the connection itself never leaves store/.
 * `atomically` runs a piece of work as one transaction (SQLite's, nested calls join the outer one).
 */
import { TextRepo } from './text-repo.js';
import { changedSinceOpen, isCheckedAfterOpen, openDatabase, type Db, type OpenOptions } from './database.js';
import { checkInBackground, type BackgroundCheck } from './integrity-check.js';
import { ContentRepo } from './content-repo.js';
import { FileRepo } from './file-repo.js';
import { FingerprintRepo } from './fingerprint-repo.js';
import { FolderRepo } from './folder-repo.js';
import { JobRepo } from './job-repo.js';
import { LibraryQueries } from './library-queries.js';
import { RequestRepo } from './request-repo.js';
import { SavedSearchRepo } from './saved-search-repo.js';
import { PlaceRepo } from './place-repo.js';
import { ReviewRepo } from './review-repo.js';
import { ScanIssueRepo } from './scan-issue-repo.js';
import { SearchQueries } from './search-queries.js';
import { SettingsRepo } from './settings-repo.js';
import { TrashRepo } from './trash-repo.js';
import { VectorRepo } from './vector-repo.js';
import type { LibraryBackups } from './backups.js';

export class LibraryStore {
  readonly folders: FolderRepo;
  readonly files: FileRepo;
  readonly contents: ContentRepo;
  readonly vectors: VectorRepo;
  readonly fingerprints: FingerprintRepo;
  readonly settings: SettingsRepo;
  readonly jobs: JobRepo;
  readonly scanIssues: ScanIssueRepo;
  readonly requests: RequestRepo;
  readonly trash: TrashRepo;
  readonly review: ReviewRepo;
  readonly search: SearchQueries;
  readonly queries: LibraryQueries;
  readonly text: TextRepo;
  readonly savedSearches: SavedSearchRepo;
  readonly places: PlaceRepo;

  /** A large database, opened without its check (see integrity). */
  private uncheckedFile: string | undefined;
  private check: BackgroundCheck | undefined;

  private constructor(private readonly db: Db) {
    this.folders = new FolderRepo(db);
    this.files = new FileRepo(db);
    this.contents = new ContentRepo(db);
    this.vectors = new VectorRepo(db);
    this.fingerprints = new FingerprintRepo(db);
    this.settings = new SettingsRepo(db);
    this.jobs = new JobRepo(db);
    this.scanIssues = new ScanIssueRepo(db);
    this.requests = new RequestRepo(db);
    this.trash = new TrashRepo(db);
    this.review = new ReviewRepo(db);
    this.search = new SearchQueries(db);
    this.queries = new LibraryQueries(db);
    this.text = new TextRepo(db);
    this.savedSearches = new SavedSearchRepo(db);
    this.places = new PlaceRepo(db);
  }

  /**
   * Opens (creating or migrating) the database; a damaged one throws LibraryDamagedError. A large
   * one is checked after it opens, on a worker thread: see `integrity`.
   */
  static open(file: string, options: OpenOptions = {}): LibraryStore {
    const later = isCheckedAfterOpen(file);
    const store = new LibraryStore(openDatabase(file, { ...options, checkedElsewhere: later }));
    store.uncheckedFile = later ? file : undefined;
    return store;
  }

  /**
   * "ok", or what is wrong with the database: known at open for a small one; for a large one, the
   * first call starts its check on a worker thread.
   */
  integrity(): Promise<string> {
    if (!this.uncheckedFile) return Promise.resolve('ok');
    this.check ??= checkInBackground(this.uncheckedFile);
    return this.check.result;
  }

  atomically<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  get isOpen(): boolean {
    return this.db.open;
  }

  /** A backup of the database now, into the rotation of `backups`. */
  backupTo(backups: LibraryBackups): ReturnType<LibraryBackups['take']> {
    return backups.take(this.db);
  }

  /** Closes the database; a clean close that changed something leaves a backup first. */
  async close(backups?: LibraryBackups): Promise<void> {
    if (!this.db.open) return;
    await this.check?.stop();
    if (backups && changedSinceOpen(this.db)) await backups.take(this.db).catch(() => undefined);
    this.db.close();
  }
}
