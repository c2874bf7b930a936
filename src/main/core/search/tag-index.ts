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
const STOP_WORDS = new Set(
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
  private readonly built = new Map<number, { version: string; index: MiniSearch<TagDoc> }>();

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

  private indexOf(modelId: number): MiniSearch<TagDoc> {
    const version = this.vectors.tagsVersion(modelId);
    const cached = this.built.get(modelId);
    if (cached?.version === version) return cached.index;
    const index = new MiniSearch<TagDoc>({
      fields: ['label'],
      storeFields: ['contentId', 'tagScore'],
      processTerm: (term) => foldWord(term),
    });
    let id = 0;
    const docs: TagDoc[] = [];
    for (const tag of this.vectors.allTags(modelId))
      docs.push({ id: (id += 1), contentId: tag.contentId, label: tag.label, tagScore: tag.score });
    index.addAll(docs);
    this.built.set(modelId, { version, index });
    return index;
  }
}
