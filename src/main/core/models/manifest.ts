/**
 * The bring-your-own ONNX model manifest: a small JSON file that tells Trove how to feed a model and
 * how to read its outputs, so any ONNX image (or, later, audio) model can be used without code.
 *
 *   {
 *     "name": "mobilenet-v2-int8", "modality": "image", "file": "model.onnx", "input": "input",
 *     "image": { "size": 224, "resizeShortest": 256, "mean": [..3], "std": [..3] },
 *     "vector": { "output": "output", "transform": "sqrt-softmax" },
 *     "labels": { "file": "labels.json", "format": "json-array" },
 *     "tags": { "output": "output", "activation": "softmax", "top": 5, "minScore": 0.05 }
 *   }
 */
import { z } from 'zod';

const Triple = z.tuple([z.number(), z.number(), z.number()]);
const RelativePath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split(/[\\/]/).includes('..'), 'must be a path inside the model folder');

export const ModelManifestSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash and underscore only'),
    description: z.string().optional(),
    modality: z.enum(['image', 'audio']),
    file: RelativePath,
    input: z.string().min(1),
    image: z
      .object({
        size: z.number().int().min(8).max(4096),
        resizeShortest: z.number().int().min(8).max(8192).optional(),
        mean: Triple.default([0, 0, 0]),
        std: Triple.default([1, 1, 1]),
        rescale: z.boolean().default(true),
      })
      .optional(),
    audio: z
      .object({
        sampleRate: z.number().int().min(1000).max(192000),
        windowSeconds: z.number().positive().max(600).default(10),
      })
      .optional(),
    vector: z.object({
      output: z.string().min(1),
      /** How a raw output becomes an embedding; the result is always L2-normalised. */
      transform: z.enum(['none', 'softmax', 'sqrt-softmax', 'sigmoid']).default('none'),
    }),
    labels: z
      .object({
        file: RelativePath,
        format: z.enum(['json-array', 'csv', 'text-lines']),
        /** For csv: the column holding the display name. */
        column: z.string().optional(),
      })
      .optional(),
    tags: z
      .object({
        output: z.string().min(1),
        activation: z.enum(['softmax', 'sigmoid', 'none']),
        top: z.number().int().min(1).max(50).default(5),
        minScore: z.number().min(0).max(1).default(0.05),
      })
      .optional(),
  })
  .refine((m) => (m.modality === 'image' ? m.image !== undefined : m.audio !== undefined), {
    message: 'an image model needs an "image" section and an audio model an "audio" section',
  })
  .refine((m) => m.tags === undefined || m.labels !== undefined, { message: '"tags" needs "labels"' });

export type ModelManifest = z.infer<typeof ModelManifestSchema>;

export function parseManifest(json: unknown, source: string): ModelManifest {
  const parsed = ModelManifestSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(manifest)'}: ${i.message}`).join('; ');
    throw new Error(`invalid model manifest ${source}: ${problems}`);
  }
  return parsed.data;
}
