/**
 * Text and example searches over the vector index, ranked by relevance (cosine similarity), with
 * filters, a minimum score, limit and offset. A model without a text encoder still answers text
 * searches through its tags (class labels), ranked by tag confidence.
 */
import type { MediaKind } from '../util/media-types.js';
import type { VectorRepo } from '../store/vector-repo.js';
import { TagIndex } from './tag-index.js';
import type { Neighbor, VectorIndex } from '../index/vector-index.js';
import type { InferenceClient } from '../models/inference-client.js';

/** What a search needs of a model: its stored vectors, its index, and (for text) its encoder. */
export interface SearchableModel {
  name: string;
  modelId: number;
  index: VectorIndex;
  hasText?: boolean;
  client?: InferenceClient;
  /** Where the model sits in the inference worker; text goes to that slot's encoder. */
  slot?: 'image' | 'audio';
}
import { hasFilters, type FileInfo, type SearchFilters, type SearchQueries } from '../store/search-queries.js';
import { searchableText, type TextRepo } from '../store/text-repo.js';
import { allowedEdits, showsNearly } from './near-spelling.js';
import { dot } from '../util/vectors.js';
import { InvalidInputError } from '../errors.js';

export interface SearchOptions extends SearchFilters {
  limit?: number;
  offset?: number;
  minScore?: number;
  /**
   * Leave out what falls into the background: hits no closer to the query than the library's
   * unrelated items are (standard score below BACKGROUND_CUT against the model's background).
   */
  aboveBackground?: boolean;
  /** Concepts to move away from (`-sky`): the text query's vector is pushed away from theirs. */
  avoid?: string[];
}

/** How far a text query is pushed away from a concept left out (a share of that concept's vector). */
const AVOID_WEIGHT = 0.5;

/** Standard scores below this are the library's background for a query: not shown unless asked. */
export const BACKGROUND_CUT = 1.5;
/** Below this many stored vectors, a model's background cannot be told from its matches: no cut. */
const MIN_BACKGROUND_SAMPLE = 48;
/**
 * Filtering after the search asks for at most this many neighbours (32, 128, 512, 2048) before the
 * filter is applied inside the search instead: past that the filter keeps too few to be found so.
 */
const POST_FILTER_MAX = 2048;

export interface SearchHit {
  path: string;
  /** Higher is closer: cosine similarity for vector search, summed tag confidence for tag search. */
  score: number;
  fileId: number;
  contentId: number;
  kind: MediaKind;
  width: number | null;
  height: number | null;
  takenAt: number | null;
  /** Date taken, else file time (epoch ms). */
  date: number;
  /** Moment inside a video or audio file, in seconds; absent for photos. */
  offsetS?: number;
  /** How far the hit stands above the model's background for the query (standard score); vector hits only. */
  strength?: number;
  /** How the hit was found ('text': by the words read in it; 'place': by where it was taken). */
  via: 'vector' | 'tags' | 'browse' | 'text' | 'place';
}

export interface SearchResponse {
  model: string;
  results: SearchHit[];
  /** What the query language read in a text search (search/query-language): its filters, exclusions, hints. */
  query?: { filters: { key: string; value: string; raw: string }[]; exclude: string[]; hints: string[] };
}

export class SearchService {
  private readonly tags: TagIndex;

  /** Each model's background sample and the id range it was drawn from (backgroundSample). */
  private readonly samples = new Map<number, { lo: number; hi: number; vectors: Float32Array[] }>();

  constructor(
    private readonly queries: SearchQueries,
    private readonly vectors: VectorRepo,
    private readonly texts: TextRepo,
  ) {
    this.tags = new TagIndex(vectors);
  }

  /**
   * Files whose picture (or a moment of whose video) shows every one of `terms`, best first (by the
   * full-text index's rank); a video's hit names the moment.
   */
  byWordsInPictures(terms: string[], options: SearchOptions = {}, phrases: string[] = []): SearchHit[] {
    if (terms.length === 0) return [];
    const limit = clampInt(options.limit ?? 20, 1, 10_000);
    let found = this.texts.matching(terms, limit * 2, phrases);
    // Nothing shows the words as asked: look for them misread by a letter or two (longer words only;
    // a phrase's words together, as one long word).
    if (found.length === 0) found = this.nearlyShowing([...terms, ...phrases.map((p) => p.replace(/ /g, ''))], limit * 2);
    const hits = this.expandToFiles(
      found.map((f, i) => ({ contentId: f.contentId, score: 1 - i / (found.length + 1), offsetS: null })),
      options,
      'text',
    ).slice(0, limit);
    // Only the videos returned are looked into for the moment that shows the words.
    return hits.map((hit) => {
      const atS = hit.kind === 'video' ? this.texts.momentShowing(hit.contentId, terms) : undefined;
      return atS === undefined ? hit : { ...hit, offsetS: atS };
    });
  }

  /** Contents whose text shows every term within its allowed edits (search/near-spelling), best first. */
  private nearlyShowing(terms: string[], limit: number): { contentId: number; rank: number }[] {
    const words = terms.flatMap((t) => searchableText(t).split(' ')).filter(Boolean);
    if (!words.some((w) => allowedEdits(w) > 0)) return [];
    return this.texts
      .sharingPieces(words, NEAR_SPELLING_CANDIDATES)
      .filter((c) => showsNearly(words, c.text))
      .slice(0, limit)
      .map((c, rank) => ({ contentId: c.contentId, rank }));
  }

  /** The files of these contents (taken at a place the query names), in the given order. */
  atPlaces(contentIds: number[], options: SearchOptions = {}): SearchHit[] {
    return this.expandToFiles(
      contentIds.map((contentId, i) => ({ contentId, score: 1 - i / (contentIds.length + 1), offsetS: null })),
      options,
      'place',
    );
  }

  /** Tag labels of these models that match what is being typed, most common first (see TagIndex.suggest). */
  suggest(modelIds: number[], text: string, limit: number): { word: string; count: number }[] {
    const merged = new Map<string, number>();
    for (const id of modelIds)
      for (const s of this.tags.suggest(id, text, limit * 4)) merged.set(s.word, (merged.get(s.word) ?? 0) + s.count);
    return [...merged.entries()]
      .map(([word, count]) => ({ word, count }))
      .sort((a, b) => b.count - a.count || a.word.localeCompare(b.word))
      .slice(0, limit);
  }

  async byText(model: SearchableModel, text: string, options: SearchOptions = {}): Promise<SearchResponse> {
    const query = text.trim();
    if (!query) throw new InvalidInputError('the search text is empty');
    if (!model.hasText || !model.client) return { model: model.name, results: this.byTags(model, query, options) };
    const vector = await this.textVector(model.client, model.slot, query, options.avoid);
    return { model: model.name, results: this.byVector(model, vector, options) };
  }

  /** A text's vector, pushed away from the concepts to avoid (then of unit length again). */
  private async textVector(
    client: InferenceClient,
    slot: SearchableModel['slot'],
    text: string,
    avoid: string[] = [],
  ): Promise<Float32Array> {
    const [vector, ...avoided] = await client.embedTexts([text, ...avoid], slot);
    if (avoided.length === 0) return vector!;
    const pushed = Float32Array.from(vector!, (v, i) => v - (AVOID_WEIGHT * avoided.reduce((sum, a) => sum + a[i]!, 0)) / avoided.length);
    const norm = Math.hypot(...pushed) || 1;
    return pushed.map((v) => v / norm);
  }

  /** Text concepts (`-sky`) as vectors of `model`, each with its background, for strengthOf. */
  async concepts(
    model: SearchableModel,
    texts: string[],
  ): Promise<{ vector: Float32Array; background: ReturnType<SearchService['backgroundOf']> }[]> {
    if (!model.hasText || !model.client || texts.length === 0) return [];
    const vectors = await model.client.embedTexts(texts, model.slot);
    return vectors.map((vector) => ({ vector, background: this.backgroundOf(model, vector) }));
  }

  /** How strongly a content is like a concept: its closest vector's standard score against the concept's background. */
  strengthOf(
    model: SearchableModel,
    contentId: number,
    concept: { vector: Float32Array; background: ReturnType<SearchService['backgroundOf']> },
  ): number {
    const stored = this.vectors.vectorsOfContent(model.modelId, contentId);
    if (stored.length === 0) return -Infinity;
    const best = Math.max(...stored.map((v) => dot(v.vector, concept.vector)));
    return (best - concept.background.mean) / concept.background.spread;
  }

  /**
   * How a query's similarities are spread over the whole library (mean and spread against a sample
   * of its vectors). Different models give matches very different raw cosines (CLIP's text-to-photo
   * matches sit near 0.3, CLAP's text-to-sound ones elsewhere), so hits from two models are ranked
   * together by how far each stands above what its own model gives an unrelated item.
   */
  backgroundOf(model: SearchableModel, vector: Float32Array): { mean: number; spread: number; sampled: number } {
    const sims = this.backgroundSample(model.modelId).map((v) => dot(v, vector));
    if (sims.length < 2) return { mean: 0, spread: 1, sampled: sims.length };
    const mean = sims.reduce((a, b) => a + b, 0) / sims.length;
    const variance = sims.reduce((a, s) => a + (s - mean) ** 2, 0) / (sims.length - 1);
    // A floor keeps a tiny library (a handful of near-identical items) from blowing the scale up.
    return { mean, spread: Math.max(Math.sqrt(variance), 0.01), sampled: sims.length };
  }

  /**
   * The model's sample of the library, kept while the library's range of vector ids stays about the
   * same: reading it costs 256 lookups scattered over the database (10 ms a query at 200,000 items,
   * more at a million), and it describes the library, not the query.
   */
  private backgroundSample(modelId: number): Float32Array[] {
    const range = this.vectors.idRange(modelId);
    const kept = this.samples.get(modelId);
    if (kept && kept.lo === range.lo && range.hi >= kept.hi && range.hi - kept.hi <= RESAMPLE_AFTER * (kept.hi - kept.lo + 1))
      return kept.vectors;
    const vectors = this.vectors.sample(modelId, BACKGROUND_SAMPLE);
    this.samples.set(modelId, { ...range, vectors });
    return vectors;
  }

  /** A text query's vector hits plus the query's background, for ranking alongside another model. */
  async byTextCalibrated(
    model: SearchableModel & { client: InferenceClient },
    text: string,
    options: SearchOptions,
  ): Promise<{ hits: SearchHit[]; background: { mean: number; spread: number } }> {
    const query = text.trim();
    if (!query) throw new InvalidInputError('the search text is empty');
    const vector = await this.textVector(model.client, model.slot, query, options.avoid);
    // One sample of the background serves both the cut and the ranking across models.
    const background = this.backgroundOf(model, vector);
    return { hits: this.byVector(model, vector, options, undefined, background), background };
  }

  /** Nearest neighbours of a vector; `exclude` drops the query's own content from the results. */
  byVector(
    model: SearchableModel,
    vector: Float32Array,
    options: SearchOptions = {},
    exclude?: number,
    /** The query's background, when the caller has it already. */
    known?: ReturnType<SearchService['backgroundOf']>,
  ): SearchHit[] {
    const limit = clampInt(options.limit ?? 20, 1, 10_000);
    const offset = clampInt(options.offset ?? 0, 0, 1_000_000);
    // Fetch extra neighbours: the query itself may be among them, and a content can have several files.
    const wanted = offset + limit + 1;
    const neighbors = this.nearestPassing(model, vector, wanted, options);
    const bestByContent = new Map<number, { score: number; offsetS: number | null }>();
    for (const n of neighbors) {
      const info = this.queries.placementOf(n.id);
      if (!info || info.contentId === exclude) continue;
      const best = bestByContent.get(info.contentId);
      if (!best || n.score > best.score) bestByContent.set(info.contentId, { score: n.score, offsetS: info.offsetS });
    }
    const background = known ?? this.backgroundOf(model, vector);
    const strength = (score: number) => (score - background.mean) / background.spread;
    // A library too small to have a background (a few dozen items) is never cut.
    const cut = options.aboveBackground && background.sampled >= MIN_BACKGROUND_SAMPLE;
    const floor = Math.max(options.minScore ?? -Infinity, cut ? background.mean + BACKGROUND_CUT * background.spread : -Infinity);
    const ranked = [...bestByContent.entries()].filter(([, v]) => v.score >= floor).sort((a, b) => b[1].score - a[1].score);
    return this.expandToFiles(
      ranked.map(([contentId, v]) => ({ contentId, score: v.score, offsetS: v.offsetS })),
      options,
      'vector',
    )
      .slice(offset, offset + limit)
      .map((hit) => ({ ...hit, strength: strength(hit.score) }));
  }

  /**
   * The nearest vectors that pass the filters, enough for `wanted` contents. Most filters keep a
   * good share of the library (the kind of media, a year, a camera): the nearest are found first and
   * filtered after, asking for more while too few pass. A filter that keeps few is applied inside the
   * graph search instead, with the set of every vector it keeps (a pass over the library).
   */
  private nearestPassing(model: SearchableModel, vector: Float32Array, wanted: number, options: SearchOptions): Neighbor[] {
    const first = Math.max(wanted * 2, 32);
    if (!hasFilters(options)) return model.index.search(vector, first);
    for (let k = first; k <= POST_FILTER_MAX; k *= 4) {
      const near = model.index.search(vector, k);
      const passing = this.queries.passingVectors(
        near.map((n) => n.id),
        options,
      );
      const kept = near.filter((n) => passing.has(n.id));
      // Enough when they hold `wanted` contents (a video's moments are one content).
      if (near.length < k || new Set(passing.values()).size >= wanted) return kept;
    }
    const allowed = this.queries.allowedVectorIds(model.modelId, options);
    return allowed.size === 0 ? [] : model.index.search(vector, first, (id) => allowed.has(id));
  }

  byTags(model: SearchableModel, text: string, options: SearchOptions = {}): SearchHit[] {
    const limit = clampInt(options.limit ?? 20, 1, 10_000);
    const offset = clampInt(options.offset ?? 0, 0, 1_000_000);
    const scores = this.tags.search(model.modelId, text);
    const ranked = [...scores.entries()]
      .filter(([, score]) => options.minScore === undefined || score >= options.minScore)
      .sort((a, b) => b[1] - a[1]);
    return this.expandToFiles(
      ranked.map(([contentId, score]) => ({ contentId, score, offsetS: null })),
      options,
      'tags',
    ).slice(offset, offset + limit);
  }

  /** Indexed files without a query, newest first (date taken, else file time); score 0. */
  browse(options: SearchOptions = {}): SearchHit[] {
    const limit = clampInt(options.limit ?? 20, 1, 10_000);
    const offset = clampInt(options.offset ?? 0, 0, 1_000_000);
    const rows = this.queries.newestFirst(options, limit, offset);
    return rows.map((file) => ({
      path: file.path,
      score: 0,
      fileId: file.id,
      contentId: file.content_id,
      kind: file.kind,
      width: file.width,
      height: file.height,
      takenAt: file.taken_at,
      date: file.date,
      via: 'browse' as const,
    }));
  }

  /** One hit per file (identical copies each appear), keeping only files that pass the filters. */
  private expandToFiles(
    ranked: { contentId: number; score: number; offsetS: number | null }[],
    filters: SearchFilters,
    via: SearchHit['via'],
  ): SearchHit[] {
    const hits: SearchHit[] = [];
    for (const r of ranked) {
      for (const file of this.queries.filesOf(r.contentId, filters) as FileInfo[]) {
        hits.push({
          path: file.path,
          score: r.score,
          fileId: file.id,
          contentId: r.contentId,
          kind: file.kind,
          width: file.width,
          height: file.height,
          takenAt: file.taken_at,
          date: file.date,
          ...(r.offsetS !== null ? { offsetS: r.offsetS } : {}),
          via,
        });
      }
    }
    return hits;
  }
}

const BACKGROUND_SAMPLE = 256;
/** The background is sampled again once the library's id range has grown by this share (or lost its first id). */
const RESAMPLE_AFTER = 0.02;
/** Contents checked for a misread word: the ones sharing the most of its three-letter pieces. */
const NEAR_SPELLING_CANDIDATES = 500;

function clampInt(value: number, min: number, max: number): number {
  if (!Number.isFinite(value)) return min;
  return Math.min(max, Math.max(min, Math.floor(value)));
}
