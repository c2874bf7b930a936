import { describe, expect, it } from 'vitest';
import { PathFilter } from '../../src/main/core/library/path-filter.js';
import { tagWords as tokenizeWords } from '../../src/main/core/search/tag-index.js';

describe('path filter', () => {
  const filter = new PathFilter({ excludePatterns: ['*.tmp.jpg', 'exports/**', 'Cache'], includeHidden: false });
  it.each([
    ['/lib/.git', '.git', true],
    ['/lib/@eaDir', '@eaDir', true],
    ['/lib/$RECYCLE.BIN', '$RECYCLE.BIN', true],
    ['/lib/a/b.tmp.jpg', 'b.tmp.jpg', true],
    ['/lib/exports/x.jpg', 'x.jpg', true],
    ['/lib/deep/Cache', 'Cache', true],
    ['/lib/holiday/beach.jpg', 'beach.jpg', false],
  ])('%s skipped: %s', (path, name, skipped) => {
    expect(filter.skips('/lib', path, name)).toBe(skipped);
  });

  it('checks every segment of a deep path', () => {
    expect(filter.skipsAnySegment('/lib', '/lib/a/.hidden/b/c.jpg')).toBe(true);
    expect(filter.skipsAnySegment('/lib', '/lib/a/b/c.jpg')).toBe(false);
  });

  it('can include hidden entries on request', () => {
    expect(new PathFilter({ excludePatterns: [], includeHidden: true }).skips('/lib', '/lib/.photos', '.photos')).toBe(false);
  });
});

describe('tag words', () => {
  it('lower-cases, splits and folds plurals', () => {
    expect(tokenizeWords('Grand Pianos, pizzas & glass')).toEqual(['grand', 'piano', 'pizza', 'glass']);
  });
});
