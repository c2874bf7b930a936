/**
 * The one contract between the UI and the engine: every request's parameters (zod schemas, checked
 * where they arrive), every response's shape, and the events pushed while work runs. Electron's
 * preload (IPC) and `trove serve` (HTTP + server-sent events) both implement it, so the renderer
 * cannot tell which one it talks to. Imports nothing but zod.
 */
import { z } from 'zod';

export const MEDIA_KINDS = ['photo', 'video', 'audio'] as const;
export type MediaKindName = (typeof MEDIA_KINDS)[number];

const FileId = z.number().int().positive();

/** A box of latitudes and longitudes (west to east, not across the antimeridian). */
const GeoBoxSchema = z
  .object({
    south: z.number().min(-90).max(90),
    west: z.number().min(-180).max(180),
    north: z.number().min(-90).max(90),
    east: z.number().min(-180).max(180),
  })
  .strict();

export const SearchFiltersSchema = z
  .object({
    kinds: z.array(z.enum(MEDIA_KINDS)).max(3).optional(),
    /** An absolute library folder (or a folder inside one). */
    folder: z.string().min(1).max(4096).optional(),
    /** Date taken (or file time), epoch milliseconds, inclusive. */
    from: z.number().finite().optional(),
    to: z.number().finite().optional(),
    /** Taken inside this box of latitudes and longitudes (a cluster opened from the map). */
    area: GeoBoxSchema.optional(),
  })
  .strict();
export type SearchFilters = z.infer<typeof SearchFiltersSchema>;
export type GeoBox = z.infer<typeof GeoBoxSchema>;

const Page = {
  filters: SearchFiltersSchema.default({}),
  limit: z.number().int().min(1).max(5000).default(200),
  offset: z.number().int().min(0).max(1_000_000).default(0),
  /** Also the weak matches that fall into the library's background (left out unless asked for). */
  everything: z.boolean().default(false),
};

const SettingsPatchSchema = z
  .object({
    imageModel: z.string().min(1).max(200),
    /** null: no audio model (recordings are listed, not indexed). */
    audioModel: z.string().min(1).max(200).nullable(),
    offline: z.boolean(),
    threads: z
      .number({ error: 'threads must be a whole number from 1 to 256' })
      .int('threads must be a whole number from 1 to 256')
      .min(1, 'threads must be a whole number from 1 to 256')
      .max(256, 'threads must be a whole number from 1 to 256')
      .nullable(),
    excludePatterns: z.array(z.string().max(500)).max(200),
    includeHidden: z.boolean(),
    readText: z.boolean(),
  })
  .partial()
  .strict();

/** Parameters of every request, by method name. */
/**
 * A folder path from the UI must be absolute: a relative one would be resolved against the server's
 * working folder, which the person never chose ("../../etc" would add /etc).
 */
const fullPath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\'), {
    message: 'a full path is needed (starting with / or a drive letter), not a relative one',
  });

export const RequestSchemas = {
  info: z.object({}).strict(),
  status: z.object({}).strict(),
  addFolder: z.object({ path: fullPath }).strict(),
  removeFolder: z.object({ path: fullPath }).strict(),
  searchText: z.object({ text: z.string().trim().min(1, 'type something to search for').max(1000), ...Page }).strict(),
  /** Like an indexed file; for a video, `atS` picks the moment (its nearest embedded frame). */
  similarTo: z.object({ fileId: FileId, atS: z.number().min(0).max(1e7).optional(), ...Page }).strict(),
  /** The library without a query, newest first: what the search page shows before you type. */
  browse: z.object({ ...Page }).strict(),
  /** Search by an image the user dropped or chose: its bytes, base64 (works over IPC and HTTP alike). */
  searchImage: z
    .object({
      name: z.string().max(1000).default('image'),
      imageBase64: z
        .string()
        .min(1, 'the image is empty')
        .max(48 * 1024 * 1024, 'the image is too large (32 MB at most)'),
      ...Page,
    })
    .strict(),
  fileDetails: z.object({ fileId: FileId }).strict(),
  fileErrors: z.object({ limit: z.number().int().min(1).max(5000).default(500) }).strict(),
  pause: z.object({}).strict(),
  resume: z.object({}).strict(),
  updateSettings: z.object({ patch: SettingsPatchSchema }).strict(),
  listModels: z.object({}).strict(),
  downloadModel: z.object({ name: z.string().min(1).max(200) }).strict(),
  importModels: z.object({ path: fullPath }).strict(),
  revealFile: z.object({ fileId: FileId }).strict(),
  /** Identical and near-identical photos, grouped, each group with a suggested keeper. */
  findDuplicates: z.object({}).strict(),
  /** The person's mark on one file of a group: to go to the trash, or to stay. */
  markDuplicate: z.object({ fileId: FileId, trash: z.boolean() }).strict(),
  /** "Not duplicates" for a group (by its key), or undone. */
  setNotDuplicates: z
    .object({
      key: z
        .string()
        .regex(/^\d+(,\d+)*$/, 'a group key')
        .max(100_000),
      notDuplicates: z.boolean(),
    })
    .strict(),
  /** Moves library files to the system trash (never deletes); the answer's batch can undo it. */
  trashFiles: z.object({ fileIds: z.array(FileId).min(1).max(10_000) }).strict(),
  restoreTrashed: z.object({ batch: z.string().uuid() }).strict(),
  /** This library's files in the system trash (moved by Trove, not put back), newest first. */
  recentlyTrashed: z.object({}).strict(),
  /** Searches pinned in the sidebar. */
  savedSearches: z.object({}).strict(),
  /**
   * Where the photos were taken, in clusters, for the map: cells of `cellDegrees` (finer as the map
   * zooms in), only the positions `within` the part of the world in view when given.
   */
  mapClusters: z
    .object({
      cellDegrees: z.number().min(0.005).max(10).default(2),
      within: GeoBoxSchema.optional(),
    })
    .strict(),
  saveSearch: z
    .object({ text: z.string().trim().min(1, 'type a search to pin it').max(1000), filters: SearchFiltersSchema.default({}) })
    .strict(),
  forgetSavedSearch: z.object({ id: z.number().int().positive() }).strict(),
  /** Puts one of them back. */
  restoreTrashedItem: z.object({ id: z.number().int().positive() }).strict(),
  /** Copies library files into a folder (never overwriting: a taken name gets " (2)"). */
  exportFiles: z.object({ fileIds: z.array(FileId).min(1).max(10_000), folder: fullPath }).strict(),
  /** How many items each month holds (for the timeline's scrubber), with the search filters. */
  timeline: z.object({ filters: SearchFiltersSchema.default({}) }).strict(),
  /** Words that exist in the library starting like `prefix` (tags), for suggestions while typing. */
  suggest: z.object({ prefix: z.string().max(200), limit: z.number().int().min(1).max(50).default(8) }).strict(),
  /** A native folder chooser; only the desktop app has one (see AppInfo.canPickFolders). */
  pickFolder: z.object({}).strict(),
} as const;

export type Method = keyof typeof RequestSchemas;
export type Params<M extends Method> = z.input<(typeof RequestSchemas)[M]>;
export type ParsedParams<M extends Method> = z.output<(typeof RequestSchemas)[M]>;

export function isMethod(name: string): name is Method {
  return Object.hasOwn(RequestSchemas, name);
}

/* ------------------------------- responses ------------------------------- */

export interface AppInfo {
  version: string;
  libraryDir: string;
  modelCacheDir: string;
  /** Electron can show a file in the system file manager; a browser can only copy its path. */
  canRevealFiles: boolean;
  /** Electron can open a native folder chooser; in a browser the path is typed. */
  canPickFolders: boolean;
}

export interface FolderSummary {
  path: string;
  files: number;
  ready: number;
  errors: number;
  pending: number;
  missing: number;
  /** Folder could not be read at the last scan (unplugged drive, permissions). */
  unreachable: boolean;
}

export interface IndexingState {
  /** 'waiting': another Trove process is indexing this library; this one takes over when it ends. */
  phase: 'starting' | 'scanning' | 'indexing' | 'paused' | 'watching' | 'waiting' | 'needs-model' | 'error' | 'idle';
  done: number;
  total: number;
  failed: number;
  ratePerSecond: number;
  etaSeconds: number | null;
  currentFile?: string;
  /** Why indexing is not running (needs-model, error), in a sentence. */
  message?: string;
  paused: boolean;
  /** 'words': reading the words in pictures (done/total count pictures), after the files are indexed. */
  step?: 'words';
}

export interface ModelState {
  name: string;
  installed: boolean;
  hasTextSearch: boolean;
  /** Present while the model is downloading. */
  download?: DownloadState;
}

export interface DownloadState {
  name: string;
  /** The file being fetched now, and where it is in the model's list. */
  file: string;
  fileIndex: number;
  fileCount: number;
  fileReceivedBytes: number;
  /** Size of the current file, when the server says. */
  fileTotalBytes: number | null;
  /** Bytes received for the whole model so far. */
  receivedBytes: number;
  done: boolean;
  error?: string;
}

export interface Settings {
  imageModel: string;
  audioModel?: string;
  offline: boolean;
  threads?: number;
  excludePatterns: string[];
  includeHidden: boolean;
  /** Words in pictures are read (OCR) and searchable. */
  readText: boolean;
}

export interface AppStatus {
  folders: FolderSummary[];
  totals: { files: number; ready: number; errors: number; pending: number };
  indexing: IndexingState;
  model: ModelState;
  settings: Settings;
  /** Effective inference threads. */
  threads: number;
  offline: boolean;
  /** The library database was found damaged after it opened (a large library is checked then): what to do. */
  damaged?: string;
}

export interface SearchHit {
  fileId: number;
  path: string;
  name: string;
  kind: MediaKindName;
  score: number;
  width: number | null;
  height: number | null;
  takenAt: number | null;
  /** Date taken, else file time (epoch ms): what the library is ordered and grouped by. */
  date: number;
  /** Moment inside a video or audio file, in seconds. */
  offsetS?: number;
  /** How good a match it is, in words people use (searches by meaning; absent when browsing or by tags). */
  match?: 'strong' | 'good' | 'fair' | 'weak';
}

export interface SearchResult {
  model: string;
  hits: SearchHit[];
  /** True when more results may follow (ask again with a larger offset). */
  more: boolean;
  /** Weaker matches were left out (they fall into the background); ask with `everything` to see them. */
  weaker?: boolean;
  /** How the query was answered: by embeddings or, for a model without text, by tags. */
  via: 'vector' | 'tags' | 'browse' | 'none';
  /** A text search's filters typed inline (`type:video`), what it leaves out (`-sky`), and hints about what was not understood. */
  query?: { filters: { key: string; value: string; raw: string }[]; exclude: string[]; hints: string[] };
}

export interface FileDetails {
  fileId: number;
  path: string;
  name: string;
  folder: string;
  kind: MediaKindName;
  /** Length of a recording, in seconds. */
  durationS: number | null;
  format: string | null;
  bytes: number;
  width: number | null;
  height: number | null;
  takenAt: number | null;
  modifiedAt: number;
  camera: string | null;
  gps: { lat: number; lon: number } | null;
  tags: { label: string; score: number }[];
  /** Words read in the picture, line by line (boxes as fractions of it), or in a video at moment `atS` seconds. */
  text: { text: string; box: [number, number, number, number]; atS?: number }[];
  /** Said when the words were not all read: too many to read, or the picture could not be read. */
  textNote?: string;
  /** Where it was taken, in words ("Shinjuku, Tokyo, Japan"), from its GPS position. */
  place?: string;
  /** A Live Photo's motion (the short video beside this still): its file id, to play it. */
  motionFileId?: number;
  /** The camera's RAW files of this picture (same folder, name and moment), shown as this one item. */
  rawFiles: string[];
}

export interface FileError {
  path: string;
  error: string;
}

export interface ModelInfo {
  name: string;
  description: string;
  /** What the model embeds: photos (and video frames), or sound. */
  modality: 'image' | 'audio';
  installed: boolean;
  downloadable: boolean;
  active: boolean;
}

export interface DuplicateMember {
  fileId: number;
  path: string;
  name: string;
  width: number | null;
  height: number | null;
  bytes: number;
  /** Date taken, else file time (epoch ms). */
  date: number;
  /** Likeness to the suggested keeper, 0..1 (1: identical). */
  similarity: number;
  /** Marked to go to the trash: the person's own mark when they made one, else the suggestion. */
  marked: boolean;
}

export interface DuplicateGroup {
  /** Names the group for "not duplicates" (its contents): stable across runs. */
  key: string;
  kind: 'exact' | 'near';
  media: 'photo' | 'audio' | 'video';
  similarity: number;
  keeperFileId: number;
  /** Why that file is suggested ("taken first, camera original"). */
  keeperReason: string;
  members: DuplicateMember[];
}

export interface TrashResult {
  /** Pass to restoreTrashed to put these files back. */
  batch: string;
  trashed: string[];
  failed: FileError[];
}

export interface Results {
  info: AppInfo;
  status: AppStatus;
  addFolder: FolderSummary;
  removeFolder: { removedFiles: number };
  searchText: SearchResult;
  similarTo: SearchResult;
  browse: SearchResult;
  searchImage: SearchResult;
  fileDetails: FileDetails;
  fileErrors: { errors: FileError[]; scanIssues: FileError[] };
  pause: IndexingState;
  resume: IndexingState;
  updateSettings: Settings;
  listModels: ModelInfo[];
  downloadModel: { name: string };
  importModels: { imported: string[] };
  revealFile: { ok: true };
  pickFolder: { path: string | null };
  findDuplicates: {
    groups: DuplicateGroup[];
    /** Groups the person said are not duplicates, newest first (each can be undone). */
    notDuplicates: { key: string; members: { fileId: number; name: string; path: string }[] }[];
  };
  markDuplicate: { ok: true };
  setNotDuplicates: { ok: true };
  trashFiles: TrashResult;
  restoreTrashed: { restored: string[]; failed: FileError[] };
  recentlyTrashed: { items: TrashedItem[] };
  savedSearches: { searches: SavedSearchItem[] };
  mapClusters: { clusters: MapCluster[] };
  saveSearch: SavedSearchItem;
  forgetSavedSearch: { ok: true };
  restoreTrashedItem: { restored: string[]; failed: FileError[] };
  exportFiles: { copied: { from: string; to: string }[]; failed: FileError[] };
  timeline: { months: { month: string; count: number }[] };
  suggest: { words: Suggestion[] };
}

export interface MapCluster {
  lat: number;
  lon: number;
  count: number;
  /** The place most of its photos answer to ("Paris, France"). */
  name: string | null;
  area: { south: number; west: number; north: number; east: number };
}

export interface SavedSearchItem {
  id: number;
  text: string;
  filters: SearchFilters;
}

export interface TrashedItem {
  id: number;
  path: string;
  name: string;
  trashedAt: number;
  /** False once the system trash was emptied: it cannot be put back. */
  inTrash: boolean;
}

/** A word people can search for that the library holds, and how many items carry it. */
export interface Suggestion {
  word: string;
  count: number;
}

/* -------------------------------- events -------------------------------- */

export type TroveEvent =
  | { type: 'indexing'; state: IndexingState }
  /** Files were indexed or removed: visible results may have changed. */
  | { type: 'library-changed'; ready: number }
  | { type: 'model-download'; state: DownloadState }
  | { type: 'notice'; level: 'info' | 'warning' | 'error'; message: string }
  /**
   * The transport's own news (the browser twin): Trove stopped answering ('lost'), answers again
   * ('back'), or answers but no longer knows this page's token: it was restarted ('restarted').
   */
  | { type: 'connection'; state: 'lost' | 'back' | 'restarted' };

/* ------------------------------- transport ------------------------------- */

/** A failed request, with a sentence for the person using the app. */
export interface ApiErrorBody {
  error: string;
}

/** thumb: grid tiles (400 px); preview: the large view (1600 px WebP, any source format); original: the file. */
export type MediaVariant = 'thumb' | 'preview' | 'original';

/** What the renderer talks to; implemented over IPC (Electron) and HTTP (browser). */
export interface TroveApi {
  call<M extends Method>(method: M, params: Params<M>): Promise<Results[M]>;
  subscribe(listener: (event: TroveEvent) => void): () => void;
  /** URL of a file's thumbnail or original, served only for files in the library. */
  mediaUrl(variant: MediaVariant, fileId: number): string;
}

/** The first zod issue as a sentence: "limit: Too big: expected number to be <=5000". */
export function describeInvalid(method: string, error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return `invalid request for ${method}`;
  // Our own messages are whole sentences for people ("threads must be…"); zod's need their place.
  if (/^[a-z]/.test(issue.message)) return issue.message;
  const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return `invalid request for ${method}: ${where}${issue.message}`;
}
