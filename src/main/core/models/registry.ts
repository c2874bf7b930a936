/**
 * The models Trove knows: the default CLIP (downloaded from the Hugging Face hub on first use) and
 * bring-your-own ONNX models described by manifests (the ones shipped in resources/models, plus any
 * model folder that carries its own `trove-model.json`).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseManifest, type ModelManifest } from './manifest.js';

export interface HubModelSpec {
  kind: 'clip';
  /** Near-duplicate photos must be at least this similar in this model's embedding space. */
  nearDuplicateMinCosine?: number;
  name: string;
  hubRepo: string;
  revision: string;
  /** transformers.js dtype: 'q8' loads the *_quantized.onnx files. */
  dtype: 'q8' | 'fp32';
  /** Files needed to run; also what a download fetches. */
  files: string[];
  description: string;
}

export interface ManifestModelSpec {
  kind: 'onnx';
  name: string;
  manifest: ModelManifest;
  description: string;
}

export type ModelSpec = HubModelSpec | ManifestModelSpec;

export const DEFAULT_IMAGE_MODEL = 'clip-vit-base-patch32';

const CLIP_B32: HubModelSpec = {
  kind: 'clip',
  name: 'clip-vit-base-patch32',
  hubRepo: 'Xenova/clip-vit-base-patch32',
  revision: 'main',
  dtype: 'q8',
  files: [
    'config.json',
    'preprocessor_config.json',
    'tokenizer.json',
    'tokenizer_config.json',
    'onnx/text_model_quantized.onnx',
    'onnx/vision_model_quantized.onnx',
  ],
  description: 'OpenAI CLIP ViT-B/32 (int8): search photos by text and by example. About 150 MB, downloaded once.',
  // CLIP places a photo and its resized, recompressed, slightly cropped or brightened copies far
  // above 0.9 apart; below this, two pictures are different photos however alike they look.
  nearDuplicateMinCosine: 0.8,
};

export const MANIFEST_FILE = 'trove-model.json';

/** Where the app's bundled resources are; electron-vite builds may point elsewhere via the env. */
export function resourcesDir(): string {
  if (process.env.TROVE_RESOURCES_DIR) return process.env.TROVE_RESOURCES_DIR;
  // src/main/core/models (tsx) and dist/main/core/models (tsc) are both four levels below the root.
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'resources');
}

export function builtinModels(): ModelSpec[] {
  const specs: ModelSpec[] = [CLIP_B32];
  const dir = join(resourcesDir(), 'models');
  if (existsSync(dir)) {
    for (const entry of readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      const manifest = parseManifest(JSON.parse(readFileSync(join(dir, entry), 'utf8')), entry);
      specs.push({ kind: 'onnx', name: manifest.name, manifest, description: manifest.description ?? '' });
    }
  }
  return specs;
}

export function findBuiltinModel(name: string): ModelSpec | undefined {
  return builtinModels().find((m) => m.name === name || (m.kind === 'clip' && m.hubRepo === name));
}
