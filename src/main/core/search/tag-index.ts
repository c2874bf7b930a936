/**
 * Text search through a model's tags (class labels), for models without a text encoder, forgiving as
 * people type: small words ("a", "the", "in") are ignored, plurals fold ("strawberries" finds
 * "strawberry"), a word being typed matches by its beginning ("flam"), and a typo is tolerated
 * ("flamngo"). Contents are ranked first by how much of the query their tags match, then by the
 * model's confidence in those tags. The index (MiniSearch, in memory) is built per model on the
 * first search and rebuilt when the model's tags change.
 */
import MiniSearch from 'minisearch';
import type { VectorRepo } from '../store/vector-repo.js';

/** Words that say nothing about a picture's content. */
export const STOP_WORDS = new Set(
  'a an the of in on at to for with and or by from into onto over under near is are was were be this that these those some my our your their its it as'.split(
    ' ',
  ),
);

interface TagDoc {
  id: number;
  contentId: number;
  label: string;
  /** The model's confidence in the label (not named `score`: MiniSearch's results have their own). */
  tagScore: number;
}

/** Lower-case, plural and -ing folded: the same for labels and queries. */
export function foldWord(word: string): string {
  const w = word.toLowerCase();
  if (w.length > 5 && w.endsWith('ing')) return w.slice(0, -3);
  if (w.length > 4 && w.endsWith('ies')) return `${w.slice(0, -3)}y`;
  return w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w;
}

/** A text's words, folded as tags and queries are. */
export function tagWords(text: string): string[] {
  return (text.match(/[\p{L}\p{N}]+/gu) ?? []).map(foldWord);
}

export class TagIndex {
  private readonly cache = new Map<number, { version: string; index: MiniSearch<TagDoc>; labels: Map<string, number> }>();

  constructor(private readonly vectors: VectorRepo) {}

  /** Contents whose tags match the query, with scores: the best match first. */
  search(modelId: number, text: string): Map<number, number> {
    const words = tagWords(text);
    const meaningful = words.filter((w) => !STOP_WORDS.has(w));
    const query = (meaningful.length ? meaningful : words).join(' ');
    if (!query) return new Map();
    const found = this.indexOf(modelId).search(query, {
      combineWith: 'OR',
      prefix: (term) => term.length >= 3,
      fuzzy: (term) => (term.length >= 5 ? 0.2 : false),
    });
    const byContent = new Map<number, { terms: Set<string>; score: number }>();
    for (const hit of found) {
      const contentId = hit.contentId as number;
      const entry = byContent.get(contentId) ?? { terms: new Set<string>(), score: 0 };
      for (const term of hit.queryTerms) entry.terms.add(term);
      entry.score += hit.score * (hit.tagScore as number);
      byContent.set(contentId, entry);
    }
    // How much of the query matched counts first; within that, confidence-weighted relevance.
    const scores = new Map<number, number>();
    for (const [contentId, entry] of byContent) scores.set(contentId, entry.terms.size + entry.score / (1 + entry.score));
    return scores;
  }

  /**
   * Labels of this model's tags that the word being typed (the text's last word) begins one of
   * their words, with how many items carry each: what exists, offered while typing. An empty text
   * gives the most common labels.
   */
  suggest(modelId: number, text: string, limit: number): { word: string; count: number }[] {
    const typing = (text.match(/[\p{L}\p{N}]+$/u)?.[0] ?? '').toLowerCase();
    const found: { word: string; count: number }[] = [];
    for (const [label, count] of this.built(modelId).labels) {
      const words = label.toLowerCase().split(/[^\p{L}\p{N}]+/u);
      if (!typing || words.some((w) => w.startsWith(typing))) found.push({ word: label, count });
    }
    return found.sort((a, b) => b.count - a.count || a.word.localeCompare(b.word)).slice(0, limit);
  }

  private indexOf(modelId: number): MiniSearch<TagDoc> {
    return this.built(modelId).index;
  }

  private built(modelId: number): { index: MiniSearch<TagDoc>; labels: Map<string, number> } {
    const version = this.vectors.tagsVersion(modelId);
    const cached = this.cache.get(modelId);
    if (cached?.version === version) return cached;
    const index = new MiniSearch<TagDoc>({
      fields: ['label'],
      storeFields: ['contentId', 'tagScore'],
      processTerm: (term) => foldWord(term),
    });
    let id = 0;
    const docs: TagDoc[] = [];
    const labels = new Map<string, number>();
    for (const tag of this.vectors.allTags(modelId)) {
      docs.push({ id: (id += 1), contentId: tag.contentId, label: tag.label, tagScore: tag.score });
      labels.set(tag.label, (labels.get(tag.label) ?? 0) + 1);
    }
    index.addAll(docs);
    const built = { version, index, labels };
    this.cache.set(modelId, built);
    return built;
  }
}
