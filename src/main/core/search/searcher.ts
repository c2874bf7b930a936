/**
 * Every search the library answers: by text (pictures through the image model, sounds through the
 * audio model, merged by rank fusion), by example (an indexed file, a moment of a video, any image
 * or recording), and browsing without a query. Folder filters are resolved like library paths.
 */
import { parseTextQuery } from './text-query.js';
import { STOP_WORDS } from './tag-index.js';
import { parseQuery, type ParsedQuery } from './query-language.js';
import { clusterPositions, type MapCluster } from './map-clusters.js';
import type { GeoBox } from '../../../shared/api.js';
import { searchableText } from '../store/text-repo.js';
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConflictError, InvalidInputError, NotFoundError, UnprocessableError } from '../errors.js';
import type { SavedSearch } from '../store/saved-search-repo.js';
import { decodeAudio } from '../media/ffmpeg.js';
import { decodeForModel } from '../media/image-decoder.js';
import { locateModel } from '../models/model-locator.js';
import { isModelUnavailable, type LoadedModel, type ModelManager } from '../models/model-manager.js';
import type { FileRow } from '../store/file-repo.js';
import type { LibraryStore } from '../store/library-store.js';
import { describeFileError } from '../util/file-errors.js';
import { mediaKindOf, type MediaKind } from '../util/media-types.js';
import { meanVector } from '../util/vectors.js';
import { fuseByScore, fuseCalibrated } from './rank-fusion.js';
import { SearchService, type SearchHit, type SearchOptions, type SearchResponse } from './search-service.js';

/** A picture that shows the words asked for is a strong match (standard score, as api-mapping words it). */
const STRONG = 3;
/** A hit at least this like a concept left out (`-sky`; standard score against its background) is dropped. */
const EXCLUDED_STRENGTH = 2.5;
/** More hits asked for when some will be left out. */
const EXCLUSION_EXTRA = 100;

export type { SearchHit, SearchOptions, SearchResponse } from './search-service.js';

export interface SimilarOptions extends SearchOptions {
  model?: string;
  includeSelf?: boolean;
  /** A moment of a video: its frame is the query. */
  atS?: number;
}

export class Searcher {
  private readonly search: SearchService;

  constructor(
    private readonly store: LibraryStore,
    private readonly models: ModelManager,
    private readonly modelCacheDir: string,
  ) {
    this.search = new SearchService(store.search, store.vectors, store.text);
  }

  /** The image model searches use: the one named, else the library's. */
  activeModelName(requested?: string): string {
    return requested ?? this.store.settings.get().imageModel;
  }

  useModel(name?: string, signal?: AbortSignal): Promise<LoadedModel> {
    return this.models.use(this.activeModelName(name), signal);
  }

  /**
   * Pictures (and video frames) through the image model, recordings (and videos' sound) through the
   * audio model when the library has one at hand; each list is asked for the whole page so the
   * merge is right.
   */
  async text(typed: string, asked: SearchOptions & { model?: string } = {}): Promise<SearchResponse> {
    const language = parseQuery(typed);
    const said = { filters: language.filters, exclude: language.exclude, hints: language.hints };
    const given = withQueryFilters(asked, language);
    if (!given) return { model: this.activeModelName(asked.model), results: [], query: said };
    const offset = given.offset ?? 0;
    const limit = given.limit ?? 20;
    if (language.exclude.length === 0) return { ...(await this.answer(language.text, given)), query: said };
    // Leaving things out: ask for more, drop what shows them, then cut the page.
    const wide = { ...given, offset: 0, limit: offset + limit + EXCLUSION_EXTRA, avoid: language.exclude };
    const answered = await this.answer(language.text, wide);
    const kept = await this.withoutExcluded(answered.results, language.exclude, asked.model);
    return { model: answered.model, results: kept.slice(offset, offset + limit), query: said };
  }

  /** A text, or with no text left (only filters), the library newest first. */
  private async answer(text: string, given: SearchOptions & { model?: string }): Promise<SearchResponse> {
    if (!text.trim()) return { model: this.activeModelName(given.model), results: this.browse(given) };
    return this.wordsAndMeaning(text, given);
  }

  /**
   * Hits that show none of `exclude`: not in the words read in them, not in their tags, and, for a
   * model that reads text (CLIP, CLAP), not strongly like it (a standard score of EXCLUDED_STRENGTH
   * or more against the library's background for that concept).
   */
  private async withoutExcluded(hits: SearchHit[], exclude: string[], modelName?: string): Promise<SearchHit[]> {
    const words = exclude.map((e) => searchableText(e)).filter(Boolean);
    const model = await this.useModel(modelName).catch(() => undefined);
    const concepts = model?.hasText ? await this.search.concepts(model, exclude) : [];
    return hits.filter((hit) => {
      const said = this.store.text.searchable(hit.contentId);
      if (words.some((w) => said.includes(w))) return false;
      if (model) {
        const tags = this.store.vectors.tagsOfContent(model.modelId, hit.contentId).map((t) => t.label.toLowerCase());
        if (words.some((w) => tags.some((t) => t.split(/[\s,]+/).includes(w) || t === w))) return false;
      }
      return !concepts.some((concept) => this.search.strengthOf(model!, hit.contentId, concept) >= EXCLUDED_STRENGTH);
    });
  }

  /** Words in pictures and meaning, for the text a query leaves once its filters are read. */
  private async wordsAndMeaning(text: string, given: SearchOptions & { model?: string }): Promise<SearchResponse> {
    const query = parseTextQuery(text);
    const options = withRealFolder(given);
    const wantsPictures = !options.kinds?.length || options.kinds.includes('image') || options.kinds.includes('video');
    const showing = wantsPictures ? this.search.byWordsInPictures(query.terms, { ...options, offset: 0, limit: 500 }, query.phrases) : [];
    const placed = this.search.atPlaces(this.store.places.at(placesNamed(text, this.store.places.names()), 500), options);
    // Pictures that show the words, and photos taken at a place the query names, are found first.
    const read = [...showing, ...placed.filter((p) => !showing.some((s) => s.fileId === p.fileId))];
    if (read.length === 0) return this.byMeaning(query.meaning, given);
    // Pictures that show the words come first, in the order their meaning ranks them (a query that
    // mixes a description and quoted words puts a picture that has both first); the rest follow.
    const offset = options.offset ?? 0;
    const limit = options.limit ?? 20;
    const meaning = await this.byMeaning(query.meaning, { ...given, offset: 0, limit: offset + limit + read.length });
    const rank = new Map(meaning.results.map((hit, i) => [hit.fileId, { i, hit }]));
    const shown = read
      .map((hit, order) => {
        const known = rank.get(hit.fileId);
        return {
          hit: { ...hit, strength: Math.max(known?.hit.strength ?? 0, STRONG) },
          place: known ? known.i : meaning.results.length + order,
        };
      })
      .sort((a, b) => a.place - b.place)
      // One ranking, higher first: the pictures that show the words score above every other hit.
      .map((r, i, all) => ({ ...r.hit, score: (meaning.results[0]?.score ?? 0) + (all.length - i) / (all.length + 1) }));
    const listed = new Set(shown.map((h) => h.fileId));
    const results = [...shown, ...meaning.results.filter((h) => !listed.has(h.fileId))];
    return { model: meaning.model, results: results.slice(offset, offset + limit) };
  }

  /** A text search by meaning only (see text). */
  private async byMeaning(text: string, given: SearchOptions & { model?: string }): Promise<SearchResponse> {
    const options = withRealFolder(given);
    const wants = (kind: MediaKind) => !options.kinds?.length || options.kinds.includes(kind);
    const seen: MediaKind[] = (['image', 'video'] as const).filter(wants);
    const heard: MediaKind[] = (['audio', 'video'] as const).filter(wants);
    const audioName = heard.length ? this.searchableAudioModel() : undefined;
    if (!audioName) {
      const model = await this.useModel(options.model);
      return this.search.byText(model, text, { ...options, kinds: seen.length ? seen : ['image'] });
    }
    const offset = options.offset ?? 0;
    const limit = options.limit ?? 20;
    const whole = { ...options, offset: 0, limit: offset + limit };
    const audio = await this.models.useAudio(audioName);
    const imageModel = seen.length
      ? await this.useModel(options.model).catch((error: unknown) => {
          // Pictures wait for an image model that is not installed: the sounds can still be searched.
          if (isModelUnavailable(error) && !options.model) return undefined;
          throw error;
        })
      : undefined;
    let ranked: SearchHit[];
    if (audio.hasText && (!imageModel || imageModel.hasText)) {
      const lists = await Promise.all([
        imageModel ? this.search.byTextCalibrated(imageModel, text, { ...whole, kinds: seen }) : undefined,
        this.search.byTextCalibrated(audio, text, { ...whole, kinds: heard }),
      ]);
      ranked = fuseCalibrated(lists.filter((list) => list !== undefined));
    } else {
      const images = imageModel ? (await this.search.byText(imageModel, text, { ...whole, kinds: seen })).results : [];
      const sounds = audio.hasText
        ? (await this.search.byText(audio, text, { ...whole, kinds: heard })).results
        : this.search.byTags(audio, text, { ...whole, kinds: heard });
      ranked = fuseByScore([images, sounds]);
    }
    return { model: imageModel?.name ?? audio.name, results: ranked.slice(offset, offset + limit) };
  }

  /**
   * The audio model to search recordings with: the library's, when it has embedded recordings and
   * the model is at hand (a default CLAP not downloaded yet must not break photo searches).
   */
  private searchableAudioModel(): string | undefined {
    const name = this.store.settings.get().audioModel;
    if (!name) return undefined;
    if (this.models.currentAudio()?.name === name) return name;
    const known = this.store.vectors.findModel(name);
    if (!known || !this.store.vectors.hasAny(known.id)) return undefined;
    return locateModel(name, this.modelCacheDir) ? name : undefined;
  }

  /** Where the library's photos were taken (in view: `within`), gathered into cells of `cellDegrees` for the map. */
  mapClusters(options: { cellDegrees?: number; within?: GeoBox } = {}): MapCluster[] {
    return clusterPositions(this.store.places.positions(options.within), options.cellDegrees);
  }

  /** Searches pinned by the person (run again, they answer from the library as it is now). */
  saved(): SavedSearch[] {
    return this.store.savedSearches.list();
  }

  save(text: string, filters: Record<string, unknown>): SavedSearch {
    const query = text.trim();
    if (!query) throw new InvalidInputError('type a search to pin it');
    const id = this.store.savedSearches.add(query, filters);
    return this.saved().find((s) => s.id === id)!;
  }

  forgetSaved(id: number): void {
    if (!this.store.savedSearches.remove(id)) throw new NotFoundError(`no pinned search ${id}`);
  }

  /** The indexed files without a query, newest first. */
  browse(options: SearchOptions = {}): SearchHit[] {
    return this.search.browse(withRealFolder(options));
  }

  /** Words the library's items are tagged with that match what is being typed (by every model). */
  suggest(text: string, limit = 8): { word: string; count: number }[] {
    return this.search.suggest(
      this.store.vectors.modelNames().map((m) => m.id),
      text,
      limit,
    );
  }

  /** How many indexed files each month holds (UTC months, newest first): the library's timeline. */
  timeline(options: SearchOptions = {}): { month: string; count: number }[] {
    return this.store.search.months(withRealFolder(options));
  }

  /** Items similar to a file: an indexed file uses its stored vectors; any other image is embedded now. */
  async similar(path: string, given: SimilarOptions = {}): Promise<SearchResponse> {
    if (mediaKindOf(path) === 'audio') return this.similarSound(path, given);
    const options = withRealFolder(given);
    const model = await this.useModel(options.model);
    const { abs, row } = this.libraryRowOf(path);
    if (row?.content_id) {
      const stored = this.store.vectors.vectorsOfContent(model.modelId, row.content_id);
      if (stored.length > 0) {
        const at = given.atS;
        const query =
          at === undefined
            ? meanVector(stored.map((s) => s.vector))
            : stored.reduce((best, s) => (Math.abs((s.offsetS ?? 0) - at) < Math.abs((best.offsetS ?? 0) - at) ? s : best)).vector;
        return {
          model: model.name,
          results: this.search.byVector(model, query, options, options.includeSelf ? undefined : row.content_id),
        };
      }
    }
    if (mediaKindOf(path) === 'video') {
      throw new UnprocessableError(`cannot search by ${path}: only videos in the library can be searched by (add its folder and index it)`);
    }
    return this.image(abs, path, options);
  }

  /** Items similar to an image that need not be in the library: a file, or bytes the user dropped. */
  async image(input: string | Buffer, label: string, given: SearchOptions & { model?: string } = {}): Promise<SearchResponse> {
    const options = { ...withRealFolder(given), kinds: narrowKinds(given.kinds, ['image', 'video']) };
    const model = await this.useModel(options.model);
    if (options.kinds.length === 0) return { model: model.name, results: [] }; // only recordings wanted
    const pre = model.preprocess;
    const pixels = new Float32Array(3 * pre.size * pre.size);
    try {
      await decodeForModel(input, pre, pixels, 0);
    } catch (error) {
      throw new UnprocessableError(`cannot search by ${label}: ${describeFileError(error).message}`);
    }
    const { vectors } = await model.client.embedImages(pixels, 1, pre.size);
    return { model: model.name, results: this.search.byVector(model, vectors[0]!, options) };
  }

  /** Recordings that sound like a recording: an indexed one by its stored windows, any other decoded now. */
  private async similarSound(path: string, given: SimilarOptions): Promise<SearchResponse> {
    const options = { ...withRealFolder(given), kinds: narrowKinds(given.kinds, ['audio', 'video']) };
    const name = this.store.settings.get().audioModel;
    if (!name) throw new ConflictError('this library has no audio model: index with `--audio-model NAME` first (see `trove models list`)');
    const audio = await this.models.useAudio(name);
    if (options.kinds.length === 0) return { model: audio.name, results: [] }; // only photos wanted
    const { abs, row } = this.libraryRowOf(path);
    let windows = row?.content_id ? this.store.vectors.vectorsOfContent(audio.modelId, row.content_id).map((v) => v.vector) : [];
    if (windows.length === 0) {
      windows = [];
      try {
        await decodeAudio(abs, {
          sampleRate: audio.sampleRate,
          chunkSeconds: audio.windowSeconds,
          onChunk: async (samples) => {
            windows.push((await audio.client.embedAudio(samples, 1, samples.length)).vectors[0]!);
          },
        });
      } catch (error) {
        throw new UnprocessableError(`cannot search by ${path}: ${describeFileError(error).message}`);
      }
    }
    const exclude = options.includeSelf ? undefined : (row?.content_id ?? undefined);
    return { model: audio.name, results: this.search.byVector(audio, meanVector(windows), options, exclude) };
  }

  /** A path as given (absolute) and, when it is a library file (links followed), its row. */
  private libraryRowOf(path: string): { abs: string; row: FileRow | undefined } {
    const abs = resolve(path);
    let real = abs;
    try {
      real = realpathSync(abs);
    } catch {
      // Missing: decoding it later says so in a sentence.
    }
    return { abs, row: this.store.files.byPath(real) };
  }
}

/** Library paths are stored resolved (absolute, links followed): a folder filter must be too. */
function withRealFolder<T extends SearchOptions>(options: T): T {
  if (!options.folder) return options;
  let folder = resolve(options.folder);
  try {
    folder = realpathSync(folder);
  } catch {
    // A folder that does not exist simply matches nothing.
  }
  return { ...options, folder };
}

/** The kinds a query can reach in one model's space, within what the filters allow (maybe none). */
function narrowKinds(wanted: MediaKind[] | undefined, reachable: MediaKind[]): MediaKind[] {
  return wanted?.length ? reachable.filter((k) => wanted.includes(k)) : reachable;
}

/**
 * The search's options with the filters typed in the query (`type:video year:2019 …`) added;
 * undefined when the two cannot both hold (the UI's "photos only" and a typed `type:video`).
 */
function withQueryFilters(
  asked: SearchOptions & { model?: string },
  language: ParsedQuery,
): (SearchOptions & { model?: string }) | undefined {
  const typed = language.where;
  const options: SearchOptions & { model?: string } = { ...asked };
  if (typed.kinds) {
    const kinds = asked.kinds?.length ? typed.kinds.filter((k) => asked.kinds!.includes(k)) : typed.kinds;
    if (kinds.length === 0) return undefined;
    options.kinds = kinds;
  }
  if (typed.from !== undefined) options.from = Math.max(asked.from ?? -Infinity, typed.from);
  if (typed.to !== undefined) options.to = Math.min(asked.to ?? Infinity, typed.to);
  if (options.from !== undefined && options.to !== undefined && options.from > options.to) return undefined;
  if (typed.folder) options.folderPart = typed.folder;
  if (typed.camera) options.camera = typed.camera;
  if (typed.hasText) options.hasText = true;
  if (typed.hasGps) options.hasGps = true;
  if (typed.place) options.place = typed.place;
  return options;
}

/** Prepositions that say a place follows ("sunset in nice", "from paris"). */
const PLACE_WORDS = ['in', 'at', 'from', 'near', 'around'];
/** Words that say nothing about where, besides the small ones (STOP_WORDS). */
const NOT_PLACES = new Set([...STOP_WORDS, ...PLACE_WORDS, 'photos', 'photo', 'pictures', 'picture', 'taken']);

/**
 * The names of the library's places a query means: the whole query (but for small words), or the
 * start of a longer name ("new york" for New York City); a name after "in", "at", "from" or "near";
 * or a name typed with a capital ("Nice at night", not "a nice sunset"). Two-letter country codes
 * only count with a preposition or as the whole query.
 */
export function placesNamed(typed: string, names: Set<string>): string[] {
  if (names.size === 0) return [];
  const said = searchableText(typed);
  const meaningful = said
    .split(' ')
    .filter((w) => w && !NOT_PLACES.has(w))
    .join(' ');
  const padded = ` ${said} `;
  return [...names].filter((name) => {
    const words = searchableText(name);
    if (!words) return false;
    if (meaningful === words || (meaningful.length >= 4 && words.startsWith(`${meaningful} `))) return true;
    if (words.length < 3) return false;
    if (PLACE_WORDS.some((p) => padded.includes(` ${p} ${words} `))) return true;
    if (!padded.includes(` ${words} `)) return false;
    // Typed with a capital: a proper name, not the word ("Nice", "Reading").
    const at = typed.toLowerCase().indexOf(name.split(' ')[0]!.toLowerCase());
    return at >= 0 && typed[at] !== typed[at]!.toLowerCase();
  });
}
