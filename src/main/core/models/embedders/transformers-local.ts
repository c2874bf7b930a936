/**
 * How Trove loads @huggingface/transformers models: from a local folder only (downloads are Trove's
 * own job, with integrity checks; transformers.js is never allowed to reach the network), on the CPU
 * with a bounded number of ONNX Runtime threads that do not spin.
 */
import { env } from '@huggingface/transformers';
import { basename, dirname } from 'node:path';
import { l2Normalize, NO_SPINNING } from './embedder.js';
import type { Tensor } from '@huggingface/transformers';

export interface LocalModel {
  /** The folder's name, as transformers.js resolves it below `env.localModelPath`. */
  modelId: string;
  options: Record<string, unknown>;
}

export function localModel(dir: string, dtype: 'q8' | 'fp32', threads: number): LocalModel {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.useFSCache = false;
  env.localModelPath = `${dirname(dir)}/`;
  return {
    modelId: basename(dir),
    options: {
      dtype,
      device: 'cpu',
      local_files_only: true,
      session_options: { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', extra: NO_SPINNING },
    },
  };
}

/** The rows of a [count, dim] tensor, each L2-normalised. */
export function normalizedRows(tensor: Tensor): Float32Array[] {
  const [count, dim] = tensor.dims as [number, number];
  const data = tensor.data as Float32Array;
  return Array.from({ length: count }, (_, i) => l2Normalize(data.slice(i * dim, (i + 1) * dim)));
}
