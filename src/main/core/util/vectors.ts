/** Small numeric helpers: vector arithmetic on embeddings (unit-length Float32Arrays), a median, plain-array copies. */

export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) sum += a[i]! * b[i]!;
  return sum;
}

/** The normalised mean of several vectors (a recording's windows, a video's frames). */
export function meanVector(vectors: Float32Array[]): Float32Array {
  if (vectors.length === 1) return vectors[0]!;
  const out = new Float32Array(vectors[0]!.length);
  for (const v of vectors) for (let i = 0; i < v.length; i += 1) out[i]! += v[i]!;
  let norm = 0;
  for (const x of out) norm += x * x;
  norm = Math.sqrt(norm) || 1;
  return out.map((x) => x / norm);
}

/** The middle value (the upper one of an even count). */
export function median(values: ArrayLike<number>): number {
  const sorted = Float64Array.from(values).sort();
  return sorted[sorted.length >> 1]!;
}

/**
 * A vector as a plain array, what hnswlib-node takes. Copied by a loop: `Array.from` walks an
 * iterator, about ten times slower for a 512-d vector and garbage for every element.
 */
export function toNumbers(vector: ArrayLike<number>): number[] {
  const out = new Array<number>(vector.length);
  for (let i = 0; i < vector.length; i += 1) out[i] = vector[i]!;
  return out;
}
