/**
 * A text search's two halves: what it asks of the words in pictures and what it asks of their
 * meaning. "quoted words" must be read in the picture, together and in order; without quotes every meaningful word of the
 * query must be (small words such as "a" and "the" aside). The meaning is searched with the query
 * without its quotes, or, for a query that is only quoted words, with those words.
 */
import { searchableText } from '../store/text-repo.js';
import { STOP_WORDS } from './tag-index.js';

export interface TextQuery {
  /** Terms the picture's text must all hold (lower case). */
  terms: string[];
  /** Whether the terms were quoted (then they are required of every text hit, and asked for). */
  quoted: boolean;
  /** Quoted runs of several words: their words must be read together, in order. */
  phrases: string[];
  /** What to search by meaning. */
  meaning: string;
}

export function parseTextQuery(text: string): TextQuery {
  const quoted = [...text.matchAll(/"([^"]+)"/g)].map((m) => m[1]!.trim()).filter(Boolean);
  const rest = text
    .replace(/"[^"]*"?/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const words = (phrase: string) => searchableText(phrase).split(' ').filter(Boolean);
  if (quoted.length > 0) {
    return {
      terms: quoted.flatMap(words).filter(Boolean),
      quoted: true,
      phrases: quoted.filter((q) => words(q).length > 1).map((q) => words(q).join(' ')),
      meaning: rest || quoted.join(' '),
    };
  }
  const meaningful = words(text).filter((w) => w && !STOP_WORDS.has(w));
  return { terms: meaningful, quoted: false, phrases: [], meaning: text.trim() };
}
