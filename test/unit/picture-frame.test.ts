/**
 * Where the picture is within its pixels (media/picture-frame), on grey planes drawn here: uniform
 * bars are trimmed, a caption band inside a plain border is found and left out, and an ordinary
 * picture is judged whole.
 */
import { describe, expect, it } from 'vitest';
import { insideFrame, trimBorders, type Box } from '../../src/main/core/media/picture-frame.js';
import { median, toNumbers } from '../../src/main/core/util/vectors.js';

const WIDTH = 240;
const HEIGHT = 180;

/** A grey plane of `fill`, with a smooth scene (grey levels 40-160, as a photo's are) over `picture`. */
function plane(fill: number, picture: Box, seed = 1): Float32Array {
  const grey = new Float32Array(WIDTH * HEIGHT).fill(fill);
  for (let y = picture.top; y < picture.bottom; y += 1) {
    for (let x = picture.left; x < picture.right; x += 1)
      grey[y * WIDTH + x] = 100 + 60 * Math.sin((x + 20 + seed) / 13) * Math.cos(y / 17);
  }
  return grey;
}

const whole: Box = { left: 0, top: 0, right: WIDTH, bottom: HEIGHT };

describe('picture frame', () => {
  it('trims uniform bars, and only them', () => {
    const picture = { left: 0, top: 30, right: WIDTH, bottom: HEIGHT - 30 };
    expect(trimBorders(plane(0, picture), WIDTH, whole)).toEqual(picture);
    expect(trimBorders(plane(0, whole), WIDTH, whole)).toEqual(whole);
  });

  it('finds the picture below a caption band inside a plain border', () => {
    const picture = { left: 12, top: 60, right: WIDTH - 12, bottom: HEIGHT - 12 };
    const grey = plane(235, picture, 7);
    // The caption: a few dark words on the band above the picture (too many for a uniform border).
    for (let x = 40; x < 200; x += 1) if (x % 20 < 6) for (let y = 25; y < 35; y += 1) grey[y * WIDTH + x] = 40;
    const trimmed = trimBorders(grey, WIDTH, whole);
    expect(trimmed.top).toBe(25); // the plain rows above the words are a bar; the words are not
    const inside = insideFrame(grey, WIDTH, HEIGHT, trimmed);
    // The step from band to picture spans two rows (each is compared with the two before it).
    expect(inside).toEqual({ ...picture, top: inside.top });
    expect(inside.top - picture.top).toBeGreaterThanOrEqual(0);
    expect(inside.top - picture.top).toBeLessThanOrEqual(1);
  });

  it('judges an ordinary picture whole', () => {
    const grey = plane(0, whole, 3);
    expect(insideFrame(grey, WIDTH, HEIGHT, whole)).toBe(whole);
  });

  it('has a median and plain-array copies that keep every value', () => {
    expect(median([5, 1, 4, 2, 3])).toBe(3);
    expect(median(new Float32Array([0.5, -2, 9, 7]))).toBe(7);
    const vector = Float32Array.from({ length: 512 }, (_, i) => Math.sin(i));
    expect(toNumbers(vector)).toEqual(Array.from(vector));
  });
});
