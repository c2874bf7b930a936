/**
 * Finds a model's files on disk. Searched in order: every folder in TROVE_MODELS_DIR (one sub-folder
 * per model, named after the model: `clip-vit-base-patch32` or `Xenova/clip-vit-base-patch32`), then
 * the per-user model cache where downloads and `trove models import` put them.
 * A folder with a `trove-model.json` manifest is a bring-your-own model, even one Trove never heard of.
 */
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { readImagePreprocessFromHub } from './clip-preprocess.js';
import { parseManifest } from './manifest.js';
import { findBuiltinModel, isHubModel, MANIFEST_FILE, type ModelSpec } from './registry.js';
import type { ImagePreprocess } from '../media/image-preprocess.js';
import { TroveError } from '../errors.js';

export interface ResolvedModel {
  spec: ModelSpec;
  dir: string;
  preprocess?: ImagePreprocess;
}

export class ModelNotInstalledError extends TroveError {
  constructor(
    readonly modelName: string,
    message: string,
  ) {
    super('model-not-installed', message);
    this.name = 'ModelNotInstalledError';
  }
}

export function modelSearchRoots(cacheDir: string): string[] {
  const fromEnv = (process.env.TROVE_MODELS_DIR ?? '').split(delimiter).filter(Boolean);
  return [...fromEnv, cacheDir];
}

function candidateDirs(root: string, name: string, spec: ModelSpec | undefined): string[] {
  const names = new Set([name]);
  if (spec && isHubModel(spec)) {
    names.add(spec.hubRepo);
    names.add(spec.hubRepo.split('/').pop()!);
  }
  return [...names].map((n) => join(root, n));
}

export function isComplete(spec: ModelSpec, dir: string): boolean {
  if (isHubModel(spec)) return spec.files.every((f) => existsSync(join(dir, f)));
  return existsSync(join(dir, spec.manifest.file));
}

/** The spec for a folder: its own manifest wins, else the built-in spec of that name. */
export function specForDir(name: string, dir: string): ModelSpec | undefined {
  const own = join(dir, MANIFEST_FILE);
  if (existsSync(own)) {
    const manifest = parseManifest(JSON.parse(readFileSync(own, 'utf8')), own);
    return { kind: 'onnx', name: manifest.name, manifest, description: manifest.description ?? '' };
  }
  return findBuiltinModel(name);
}

export function locateModel(name: string, cacheDir: string): ResolvedModel | undefined {
  const builtin = findBuiltinModel(name);
  for (const root of modelSearchRoots(cacheDir)) {
    for (const dir of candidateDirs(root, name, builtin)) {
      if (!existsSync(dir)) continue;
      const spec = specForDir(name, dir);
      if (spec && isComplete(spec, dir)) return withPreprocess(spec, dir);
    }
  }
  return undefined;
}

function withPreprocess(spec: ModelSpec, dir: string): ResolvedModel {
  if (isHubModel(spec)) return spec.kind === 'clip' ? { spec, dir, preprocess: readImagePreprocessFromHub(dir) } : { spec, dir };
  const image = spec.manifest.image;
  if (!image) return { spec, dir };
  return {
    spec,
    dir,
    preprocess: {
      size: image.size,
      resizeShortest: image.resizeShortest ?? image.size,
      mean: image.mean,
      std: image.std,
      rescale: image.rescale,
    },
  };
}
