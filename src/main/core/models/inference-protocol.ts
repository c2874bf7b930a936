/**
 * Messages between the engine and the inference worker. The worker validates what it is asked to
 * load (it crosses a thread boundary); tensors travel as transferred ArrayBuffers or in shared memory,
 * not copies.
 */
import { z } from 'zod';
import type { OcrResult } from '../media/ocr/ocr.js';
import { ModelManifestSchema } from './manifest.js';

/** The worker holds one model per slot: the image (and text) model, and the audio model. */
export const SlotSchema = z.enum(['image', 'audio']);
export type Slot = z.infer<typeof SlotSchema>;

export const LoadRequestSchema = z.object({
  slot: SlotSchema.default('image'),
  kind: z.enum(['clip', 'clap', 'onnx']),
  dir: z.string().min(1),
  dtype: z.enum(['q8', 'fp32']).default('q8'),
  manifest: ModelManifestSchema.optional(),
  threads: z.number().int().min(1).max(256),
  /** Edge of a blank image run once at load, to learn the vector size and warm the session. */
  probeSize: z.number().int().positive().optional(),
  /**
   * For a model that reads text (CLIP): learn the vector size from a short text instead, so a start
   * that only searches loads the text encoder it needs and never the image one (loaded, then, by
   * the first pictures to embed).
   */
  probeText: z.boolean().optional(),
  /** Length of a silent waveform run once at load (audio models), for the same reasons. */
  probeSamples: z.number().int().positive().optional(),
});
export type LoadRequest = z.input<typeof LoadRequestSchema>;

export type WorkerRequest =
  | { id: number; method: 'load'; params: LoadRequest }
  | { id: number; method: 'embedImages'; params: { pixels: Float32Array; count: number; size: number } }
  | { id: number; method: 'embedTexts'; params: { texts: string[]; slot?: Slot } }
  | { id: number; method: 'embedAudio'; params: { samples: Float32Array; count: number; length: number } }
  | { id: number; method: 'openTextReader'; params: { threads: number } }
  | { id: number; method: 'readText'; params: { path: string } | { image: Uint8Array } }
  | { id: number; method: 'dispose' };

export interface LoadResult {
  dim: number;
  hasText: boolean;
}
export interface EmbedImagesResult {
  vectors: Float32Array[];
  tags: { label: string; score: number }[][];
}

export type ReadTextResult = OcrResult;

export type WorkerResponse = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };
