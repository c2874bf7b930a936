/**
 * The API contract's requests (src/shared/api.ts), one line of routing each: every rule lives in an
 * engine module; here only the contract's words are turned into the engine's and back.
 */
import type { AppStatus, DownloadState, Method, ModelInfo, ParsedParams, Results, SearchResult } from '../../../shared/api.js';
import type { SearchOptions, SearchResponse } from '../search/searcher.js';
import { defaultInferenceThreads, type Engine } from '../engine.js';
import { ConflictError, InvalidInputError, NotFoundError, TooLargeError } from '../errors.js';
import { LibrarySettings } from '../library/library-settings.js';
import { downloadableModel, modelCatalog } from '../models/model-catalog.js';
import { importModels } from '../models/model-import.js';
import { exportFiles } from '../library/file-export.js';
import { locateModel } from '../models/model-locator.js';
import { findBuiltinModel, hasTextEncoder } from '../models/registry.js';
import { basename } from 'node:path';
import { contentKey } from '../store/review-repo.js';
import {
  contentsOfKey,
  emptyResult,
  toDuplicateGroup,
  toFileDetails,
  toHit,
  toResult,
  toSavedSearch,
  toSearchOptions,
  toSettings,
} from './api-mapping.js';
import type { IndexLoop } from './index-loop.js';

export type Handlers = { [M in Method]: (params: ParsedParams<M>) => Promise<Results[M]> | Results[M] };

export interface HandlerContext {
  engine: Engine;
  loop: IndexLoop;
  version: string;
  revealFile?: (path: string) => void;
  pickFolder?: () => Promise<string | null>;
  /** The model download in progress (or its last outcome), and starting one. */
  download(): DownloadState | undefined;
  startDownload(name: string): void;
  /** What the check of the library database found wrong after it opened (a large library), if anything. */
  damage(): string | undefined;
}

/** Largest image accepted for a search by example. */
const MAX_SEARCH_IMAGE_BYTES = 32 * 1024 * 1024;

export function makeHandlers(ctx: HandlerContext): Handlers {
  const { engine, loop } = ctx;
  const model = () => engine.search.activeModelName();
  const libraryFile = (fileId: number) => {
    const path = engine.media.libraryFile(fileId);
    if (!path) throw new NotFoundError(`no indexed file with id ${fileId}`);
    return path;
  };
  return {
    info: () => ({
      version: ctx.version,
      libraryDir: engine.options.libraryDir,
      modelCacheDir: engine.modelCacheDir,
      canRevealFiles: Boolean(ctx.revealFile),
      canPickFolders: Boolean(ctx.pickFolder),
    }),
    status: () => appStatus(ctx),
    addFolder: (p) => {
      const folder = engine.folders.add(p.path);
      // The watch loop picks a new folder up itself; the first folder starts the loop.
      if (!loop.running) void loop.restart();
      const summary = appStatus(ctx).folders.find((f) => f.path === folder.path);
      return summary ?? { path: folder.path, files: 0, ready: 0, errors: 0, pending: 0, missing: 0, unreachable: false };
    },
    removeFolder: (p) => {
      const result = engine.folders.remove(p.path);
      loop.changed(true);
      if (engine.folders.list().length === 0) void loop.restart();
      return result;
    },
    searchText: async ({ filters, text, ...page }) => {
      const options = toSearchOptions(filters, page);
      return options ? answerPage((o) => engine.search.text(text, o), options, page.limit) : emptyResult(model());
    },
    similarTo: async ({ filters, fileId, atS, ...page }) => {
      const path = libraryFile(fileId);
      const options = toSearchOptions(filters, page);
      return options ? answerPage((o) => engine.search.similar(path, { ...o, atS }), options, page.limit) : emptyResult(model());
    },
    browse: ({ filters, ...page }) => {
      const options = toSearchOptions(filters, page);
      const rows = options ? engine.search.browse(options) : [];
      return { model: model(), hits: rows.slice(0, page.limit).map(toHit), more: rows.length > page.limit, via: 'browse' as const };
    },
    searchImage: async ({ filters, imageBase64, name, ...page }) => {
      const bytes = Buffer.from(imageBase64, 'base64');
      if (bytes.length === 0) throw new InvalidInputError('the image is empty');
      if (bytes.length > MAX_SEARCH_IMAGE_BYTES) throw new TooLargeError('the image is too large (32 MB at most)');
      const options = toSearchOptions(filters, page);
      return options ? answerPage((o) => engine.search.image(bytes, name, o), options, page.limit) : emptyResult(model());
    },
    fileDetails: (p) => {
      const details = engine.status.fileDetails(p.fileId, engine.models.current()?.modelId);
      if (!details) throw new NotFoundError(`no file with id ${p.fileId} in the library`);
      return toFileDetails(details);
    },
    fileErrors: (p) => engine.status.problems(p.limit),
    pause: () => loop.pause(),
    resume: () => loop.resume(),
    updateSettings: (p) => {
      const before = engine.settings.get();
      const next = engine.settings.update(p.patch);
      if (LibrarySettings.changesIndexing(before, next)) void loop.restart();
      return toSettings(next);
    },
    findDuplicates: async () => ({
      groups: (await engine.duplicates.find()).map((g) => toDuplicateGroup(g, engine.duplicates.marks(g))),
      notDuplicates: engine.duplicates.notDuplicates().map((g) => ({
        key: contentKey(g.contents),
        members: g.files.map((f) => ({ fileId: f.id, name: basename(f.path), path: f.path })),
      })),
    }),
    markDuplicate: (p) => {
      engine.duplicates.mark(p.fileId, p.trash);
      return { ok: true as const };
    },
    setNotDuplicates: (p) => {
      engine.duplicates.setNotDuplicates(contentsOfKey(p.key), p.notDuplicates);
      return { ok: true as const };
    },
    trashFiles: (p) => {
      const paths: string[] = [];
      const failed: { path: string; error: string }[] = [];
      for (const id of p.fileIds) {
        const path = engine.media.libraryFile(id);
        if (path) paths.push(path);
        else failed.push({ path: `#${id}`, error: 'not a file of the library' });
      }
      const report = engine.trash.trash(paths);
      if (report.trashed.length > 0) loop.changed(true);
      return { batch: report.batch, trashed: report.trashed, failed: [...failed, ...report.failed] };
    },
    restoreTrashed: (p) => {
      const report = engine.trash.restore(p.batch);
      if (report.restored.length > 0) loop.changed(true);
      return report;
    },
    savedSearches: () => ({ searches: engine.search.saved().map(toSavedSearch) }),
    mapClusters: (req) => ({ clusters: engine.search.mapClusters(req) }),
    saveSearch: ({ text, filters }) => toSavedSearch(engine.search.save(text, filters)),
    forgetSavedSearch: ({ id }) => {
      engine.search.forgetSaved(id);
      return { ok: true as const };
    },
    recentlyTrashed: () => ({
      items: engine.trash
        .recent()
        .map((t) => ({ id: t.id, path: t.path, name: basename(t.path), trashedAt: t.trashedAt, inTrash: t.inTrash })),
    }),
    restoreTrashedItem: (p) => {
      const report = engine.trash.restoreOne(p.id);
      if (report.restored.length > 0) loop.changed(true);
      return report;
    },
    exportFiles: (p) =>
      exportFiles(
        p.fileIds.map((id) => ({ path: engine.media.libraryFile(id), label: `#${id}` })),
        p.folder,
        (path) => engine.folders.isOwnPath(path),
      ),
    timeline: ({ filters }) => {
      const options = toSearchOptions(filters, { limit: 1, offset: 0, everything: true });
      return { months: options ? engine.search.timeline(options) : [] };
    },
    suggest: (p) => ({ words: engine.search.suggest(p.prefix, p.limit) }),
    pickFolder: async () => {
      if (!ctx.pickFolder) throw new ConflictError('a folder chooser needs the desktop app; type the folder path instead');
      return { path: await ctx.pickFolder() };
    },
    listModels: () => listModels(engine),
    downloadModel: (p) => {
      const spec = downloadableModel(p.name, engine.isOffline());
      ctx.startDownload(spec.name);
      return { name: spec.name };
    },
    importModels: async (p) => {
      const report = await importModels(p.path, engine.modelCacheDir);
      loop.restartIfStuck();
      return { imported: report.imported.map((m) => m.name) };
    },
    revealFile: (p) => {
      if (!ctx.revealFile) throw new ConflictError('showing a file in its folder needs the desktop app; copy its path instead');
      ctx.revealFile(libraryFile(p.fileId));
      return { ok: true as const };
    },
  };
}

/**
 * One page of a search by meaning. Weak matches (the library's background for the query) are left
 * out unless asked for; when that is what ended the list, the answer says weaker matches exist.
 */
async function answerPage(
  run: (options: SearchOptions) => Promise<SearchResponse>,
  options: SearchOptions,
  limit: number,
): Promise<SearchResult> {
  const result = toResult(await run(options), limit);
  if (!result.more && options.aboveBackground) {
    const below = await run({ ...options, aboveBackground: false, offset: (options.offset ?? 0) + result.hits.length, limit: 1 });
    if (below.results.length > 0) result.weaker = true;
  }
  return result;
}

export function appStatus(ctx: HandlerContext): AppStatus {
  const { engine } = ctx;
  const s = engine.status.read({ errorLimit: 0 });
  const unreachable = engine.status.unreachableFolders();
  const name = engine.search.activeModelName();
  const loaded = engine.models.current();
  const download = ctx.download();
  return {
    folders: s.folders.map((f) => ({ ...f, unreachable: unreachable.has(f.path) })),
    // The folders' counts added up: the status bar and the Library table say the same.
    totals: s.folders.reduce(
      (sum, f) => ({
        files: sum.files + f.files - f.missing,
        ready: sum.ready + f.ready,
        errors: sum.errors + f.errors,
        pending: sum.pending + f.pending,
      }),
      { files: 0, ready: 0, errors: 0, pending: 0 },
    ),
    indexing: ctx.loop.state,
    model: {
      name,
      installed: Boolean(loaded?.name === name || locateModel(name, engine.modelCacheDir)),
      hasTextSearch: loaded?.name === name ? true : hasTextSearch(name),
      ...(download ? { download } : {}),
    },
    settings: toSettings(s.settings),
    threads: engine.options.threads ?? s.settings.threads ?? defaultInferenceThreads(),
    offline: engine.isOffline(),
    ...(ctx.damage() ? { damaged: ctx.damage() } : {}),
  };
}

function listModels(engine: Engine): ModelInfo[] {
  const active = engine.search.activeModelName();
  return modelCatalog(engine.modelCacheDir, { imageModel: active, audioModel: null }).map((m) => ({
    name: m.name,
    description: m.description,
    modality: m.modality,
    installed: m.installedAt !== null,
    downloadable: m.downloadable,
    active: m.name === active,
  }));
}

/** A model not known here is assumed to be a hub model with a text encoder until it is loaded. */
function hasTextSearch(name: string): boolean {
  const spec = findBuiltinModel(name);
  if (!spec) return true;
  return hasTextEncoder(spec) || (spec.kind === 'onnx' && Boolean(spec.manifest.labels));
}
