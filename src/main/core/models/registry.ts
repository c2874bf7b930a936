/**
 * The models Trove knows: the default CLIP for photos and CLAP for sounds (downloaded from the
 * Hugging Face hub on first use) and bring-your-own ONNX models described by manifests (the ones shipped in resources/models, plus any
 * model folder that carries its own `trove-model.json`).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseManifest, type ModelManifest } from './manifest.js';

export interface HubModelSpec {
  /** clip: photos and text; clap: sounds and text. Both come from the Hugging Face hub. */
  kind: 'clip' | 'clap';
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
  /** Audio models: recordings are decoded at this rate and embedded in windows of this length. */
  audio?: { sampleRate: number; windowSeconds: number };
}

export interface ManifestModelSpec {
  kind: 'onnx';
  name: string;
  manifest: ModelManifest;
  description: string;
}

export type ModelSpec = HubModelSpec | ManifestModelSpec;

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

const CLAP_HTSAT_UNFUSED: HubModelSpec = {
  kind: 'clap',
  name: 'clap-htsat-unfused',
  hubRepo: 'Xenova/clap-htsat-unfused',
  revision: 'main',
  dtype: 'q8',
  files: [
    'config.json',
    'preprocessor_config.json',
    'tokenizer.json',
    'tokenizer_config.json',
    'onnx/text_model_quantized.onnx',
    'onnx/audio_model_quantized.onnx',
  ],
  description: 'LAION CLAP (int8): search sounds by text ("dog barking") and by example. About 190 MB, downloaded once.',
  // The feature extractor's own settings: 10 s at 48 kHz per window.
  audio: { sampleRate: 48_000, windowSeconds: 10 },
};

/** Hub models are the ones Trove can download itself. */
export function isHubModel(spec: ModelSpec): spec is HubModelSpec {
  return spec.kind !== 'onnx';
}

/** What a model embeds: photos (and video frames) or sounds. */
export function modalityOf(spec: ModelSpec): 'image' | 'audio' {
  if (spec.kind === 'onnx') return spec.manifest.modality;
  return spec.kind === 'clap' ? 'audio' : 'image';
}

/** Sample rate and window length for an audio model; undefined for image models. */
export function audioSettingsOf(spec: ModelSpec): { sampleRate: number; windowSeconds: number } | undefined {
  return spec.kind === 'onnx' ? spec.manifest.audio : spec.audio;
}

/** Whether a model can place a text query in its own space (CLIP, CLAP), rather than only match tags. */
export function hasTextEncoder(spec: ModelSpec): boolean {
  return spec.kind !== 'onnx';
}

export const MANIFEST_FILE = 'trove-model.json';

/** Where the app's bundled resources are; electron-vite builds may point elsewhere via the env. */
export function resourcesDir(): string {
  if (process.env.TROVE_RESOURCES_DIR) return process.env.TROVE_RESOURCES_DIR;
  // src/main/core/models (tsx) and dist/main/core/models (tsc) are both four levels below the root.
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'resources');
}

export function builtinModels(): ModelSpec[] {
  const specs: ModelSpec[] = [CLIP_B32, CLAP_HTSAT_UNFUSED];
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
  return builtinModels().find((m) => m.name === name || (isHubModel(m) && m.hubRepo === name));
}
