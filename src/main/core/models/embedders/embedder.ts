/** What every model runner offers, inside the inference worker. */
import type { Tag } from '../../store/vector-repo.js';

export interface ImageEmbedding {
  vector: Float32Array;
  tags: Tag[];
}

export interface Embedder {
  readonly dim: number;
  readonly hasText: boolean;
  /** `pixels` holds `count` images as normalised NCHW floats of edge `size`. */
  embedImages(pixels: Float32Array, count: number, size: number): Promise<ImageEmbedding[]>;
  embedTexts(texts: string[]): Promise<Float32Array[]>;
  /** `samples` holds `count` mono waveforms of `length` samples each, at the model's rate. */
  embedAudio?(samples: Float32Array, count: number, length: number): Promise<ImageEmbedding[]>;
  dispose(): Promise<void>;
}

/**
 * ONNX Runtime's worker threads spin while waiting for work by default. Trove decodes the next
 * batch on the same cores meanwhile, so spinning threads would steal the CPU the decoder needs.
 */
export const NO_SPINNING = { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } };

export function l2Normalize(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i += 1) sum += v[i]! * v[i]!;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < v.length; i += 1) v[i]! /= norm;
  return v;
}

export function softmax(logits: Float32Array): Float32Array {
  let max = -Infinity;
  for (const x of logits) max = Math.max(max, x);
  const out = new Float32Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i += 1) {
    out[i] = Math.exp(logits[i]! - max);
    sum += out[i]!;
  }
  for (let i = 0; i < out.length; i += 1) out[i]! /= sum;
  return out;
}

export function sigmoid(logits: Float32Array): Float32Array {
  return logits.map((x) => 1 / (1 + Math.exp(-x)));
}
