/** Words found in text read with a letter wrong or spaces lost, and short words never loosely. */
import { describe, expect, it } from 'vitest';
import { allowedEdits, editsToNearestStretch, showsNearly } from '../../src/main/core/search/near-spelling.js';

describe('near spelling', () => {
  it('counts the edits to the nearest stretch of the text, wherever it lies', () => {
    expect(editsToNearestStretch('thunderball', 'now showing thunderball at 8')).toBe(0);
    expect(editsToNearestStretch('thunderball', 'now showing thundcrball at 8')).toBe(1);
    expect(editsToNearestStretch('thunderball', 'now showing thunderbal at 8')).toBe(1);
    expect(editsToNearestStretch('transformers', 'transfomers armada')).toBe(1);
    expect(editsToNearestStretch('planetarium', 'the plant and aquarium')).toBeGreaterThan(2);
  });

  it('gives longer words more slack and short ones none', () => {
    expect(allowedEdits('cafe')).toBe(0);
    expect(allowedEdits('bakery')).toBe(1);
    expect(allowedEdits('travelcards')).toBe(2);
  });

  it('finds every word misread by a letter, ignoring lost spaces, and nothing further off', () => {
    expect(showsNearly(['taste', 'world'], 'tasteof theworld')).toBe(true);
    expect(showsNearly(['travelcards'], 'travelcarbs sold here')).toBe(true);
    expect(showsNearly(['celcon'], 'celcom blocks')).toBe(true);
    // A short word must be there as it is; a long one two letters off (at 6 letters) is not found.
    expect(showsNearly(['cafe'], 'cate')).toBe(false);
    expect(showsNearly(['bakery'], 'bxkery')).toBe(true);
    expect(showsNearly(['bakery'], 'bxkxry')).toBe(false);
    expect(showsNearly(['celcon', 'zebra'], 'celcom blocks')).toBe(false);
  });
});
