/** The query language: words, quoted words, -exclusions and inline filters, with hints instead of errors. */
import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../src/main/core/search/query-language.js';

describe('parseQuery', () => {
  it('leaves plain words and quoted words as the text to search', () => {
    expect(parseQuery('a dog on a beach "hotel"')).toMatchObject({ text: 'a dog on a beach "hotel"', exclude: [], filters: [], hints: [] });
  });

  it('takes -word and -"some words" as what to leave out', () => {
    const q = parseQuery('bird -sky -"power line" -');
    expect(q.text).toBe('bird -');
    expect(q.exclude).toEqual(['sky', 'power line']);
  });

  it('reads every filter, keeping each token as typed for its chip', () => {
    const q = parseQuery('sunset type:video year:2019 camera:Canon folder:"summer trips" has:text has:gps in:japan');
    expect(q.text).toBe('sunset');
    expect(q.filters.map((f) => f.raw)).toEqual([
      'type:video',
      'year:2019',
      'camera:Canon',
      'folder:"summer trips"',
      'has:text',
      'has:gps',
      'in:japan',
    ]);
    expect(q.where).toEqual({
      kinds: ['video'],
      from: Date.UTC(2019, 0, 1),
      to: Date.UTC(2020, 0, 1) - 1,
      camera: 'Canon',
      folder: 'summer trips',
      hasText: true,
      hasGps: true,
      place: 'japan',
    });
  });

  it('reads before: and after: as whole years, months or days, and both together as a range', () => {
    expect(parseQuery('before:2020-06').where).toEqual({ to: Date.UTC(2020, 5, 1) - 1 });
    expect(parseQuery('after:2019').where).toEqual({ from: Date.UTC(2020, 0, 1) });
    expect(parseQuery('after:2019-03-15 before:2019-04').where).toEqual({ from: Date.UTC(2019, 2, 16), to: Date.UTC(2019, 3, 1) - 1 });
    expect(parseQuery('type:photo type:audio').where.kinds).toEqual(['image', 'audio']);
  });

  it('gives a hint for a filter it cannot understand and leaves it out, and keeps unknown key:value as text', () => {
    const q = parseQuery('year:19 before:2020-13 type:hologram has:smell folder: breakfast at 10:30 http://example.com');
    expect(q.text).toBe('breakfast at 10:30 http://example.com');
    expect(q.filters).toEqual([]);
    expect(q.where).toEqual({});
    expect(q.hints).toHaveLength(5);
    expect(q.hints[0]).toMatch(/^year: takes a year, such as year:2019/);
    expect(q.hints[1]).toMatch(/^before: takes a date/);
  });

  it('never fails on any input: every filter it reads was typed, and the rest is kept or hinted at', () => {
    const pieces = [
      'type:',
      'year:',
      'in:',
      'has:',
      '-',
      '"',
      ':',
      'video',
      '2019',
      'paris',
      ' ',
      '  ',
      'é',
      '北京',
      '\u202e',
      'folder:"a b',
      '-"x',
      'x:y',
    ];
    let seed = 42;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 3000; i += 1) {
      const input = Array.from({ length: 1 + Math.floor(random() * 8) }, () => pieces[Math.floor(random() * pieces.length)]).join('');
      const q = parseQuery(input);
      expect(typeof q.text).toBe('string');
      for (const f of q.filters) expect(input).toContain(f.raw);
      for (const hint of q.hints) expect(hint.length).toBeGreaterThan(0);
    }
  });
});
