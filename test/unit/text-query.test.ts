/** The words a text search asks of pictures, and what it asks of their meaning. */
import { describe, expect, it } from 'vitest';
import { parseTextQuery } from '../../src/main/core/search/text-query.js';

describe('parseTextQuery', () => {
  it('asks every meaningful word of an unquoted query, and searches its meaning as typed', () => {
    expect(parseTextQuery('a sign for the Harbour Café')).toEqual({
      terms: ['sign', 'harbour', 'café'],
      quoted: false,
      phrases: [],
      meaning: 'a sign for the Harbour Café',
    });
  });

  it('requires quoted words, keeps a quoted run of words as a phrase, and describes with the rest', () => {
    expect(parseTextQuery('a street at night "Open Daily" "debenhams"')).toEqual({
      terms: ['open', 'daily', 'debenhams'],
      quoted: true,
      phrases: ['open daily'],
      meaning: 'a street at night',
    });
  });

  it('searches the meaning of the quoted words when nothing else is asked, and survives a lone quote', () => {
    expect(parseTextQuery('"wifi password"').meaning).toBe('wifi password');
    expect(parseTextQuery('"McDonald\'s').terms).toEqual(['mcdonalds']);
  });
});
