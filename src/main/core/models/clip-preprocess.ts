/** Reads a Hugging Face `preprocessor_config.json` (CLIPImageProcessor) into Trove's preprocessing spec. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { ImagePreprocess } from '../media/image-preprocess.js';

const Edge = z.union([z.number(), z.object({ shortest_edge: z.number() }), z.object({ height: z.number(), width: z.number() })]);
const HubPreprocessorSchema = z.object({
  crop_size: Edge.optional(),
  size: Edge,
  image_mean: z.tuple([z.number(), z.number(), z.number()]),
  image_std: z.tuple([z.number(), z.number(), z.number()]),
  do_rescale: z.boolean().optional(),
});

function edgeOf(v: z.infer<typeof Edge>): number {
  if (typeof v === 'number') return v;
  return 'shortest_edge' in v ? v.shortest_edge : Math.min(v.height, v.width);
}

export function readImagePreprocessFromHub(dir: string): ImagePreprocess {
  const file = join(dir, 'preprocessor_config.json');
  const parsed = HubPreprocessorSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  const resizeShortest = edgeOf(parsed.size);
  return {
    size: parsed.crop_size ? edgeOf(parsed.crop_size) : resizeShortest,
    resizeShortest,
    mean: parsed.image_mean,
    std: parsed.image_std,
    rescale: parsed.do_rescale ?? true,
  };
}
