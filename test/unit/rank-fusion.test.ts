/** Rank fusion (search/rank-fusion.ts): hits of two embedding spaces, and of one, merged fairly. */
import { describe, expect, it } from 'vitest';
import { fuseByScore, fuseCalibrated, standardScore } from '../../src/main/core/search/rank-fusion.js';

describe('rank fusion', () => {
  it('ranks hits of two models by how far each stands above its own background', () => {
    // CLIP-like scores near 0.3, CLAP-like scores near 0.6: raw scores would put every sound first.
    const photos = {
      hits: [
        { fileId: 1, score: 0.34 },
        { fileId: 2, score: 0.26 },
      ],
      background: { mean: 0.2, spread: 0.05 },
    };
    const sounds = {
      hits: [
        { fileId: 3, score: 0.7 },
        { fileId: 4, score: 0.62 },
      ],
      background: { mean: 0.6, spread: 0.05 },
    };
    expect(fuseCalibrated([photos, sounds]).map((h) => h.fileId)).toEqual([1, 3, 2, 4]);
    expect(standardScore(0.34, photos.background)).toBeCloseTo(2.8);
    expect(standardScore(1, { mean: 0, spread: 0 })).toBe(1); // no spread: no division by zero
  });

  it('lists a file found twice (a video by picture and by sound) once, where it ranks best', () => {
    const pictures = { hits: [{ fileId: 7, score: 0.25 }], background: { mean: 0.2, spread: 0.05 } };
    const sound = {
      hits: [
        { fileId: 7, score: 0.9 },
        { fileId: 8, score: 0.5 },
      ],
      background: { mean: 0.5, spread: 0.1 },
    };
    const fused = fuseCalibrated([pictures, sound]);
    expect(fused.map((h) => [h.fileId, h.score])).toEqual([
      [7, 0.9],
      [8, 0.5],
    ]);
    expect(
      fuseByScore([
        [{ fileId: 1, score: 0.2 }],
        [
          { fileId: 1, score: 0.4 },
          { fileId: 2, score: 0.3 },
        ],
      ]),
    ).toEqual([
      { fileId: 1, score: 0.4 },
      { fileId: 2, score: 0.3 },
    ]);
  });
});
