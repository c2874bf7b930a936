/**
 * The models Trove knows, as the CLI's `models list` and the app's model picker show them, and the
 * one rule for whether a model may be downloaded now. Both the CLI and the app call these.
 */
import { ConflictError, InvalidInputError, NotFoundError } from '../errors.js';
import { locateModel } from './model-locator.js';
import { builtinModels, findBuiltinModel, isHubModel, modalityOf, type HubModelSpec } from './registry.js';

export interface CatalogEntry {
  name: string;
  description: string;
  modality: 'image' | 'audio';
  /** "clip (text + image)", "onnx audio", … */
  kind: string;
  /** Where it is installed, or null. */
  installedAt: string | null;
  /** On the Hugging Face hub (else it is imported from a folder). */
  downloadable: boolean;
  /** The library's image or audio model. */
  active: boolean;
}

export function modelCatalog(cacheDir: string, active: { imageModel: string; audioModel: string | null }): CatalogEntry[] {
  return builtinModels().map((spec) => ({
    name: spec.name,
    description: spec.description,
    modality: modalityOf(spec),
    kind: spec.kind === 'onnx' ? `onnx ${spec.manifest.modality}` : `${spec.kind} (text + ${modalityOf(spec)})`,
    installedAt: locateModel(spec.name, cacheDir)?.dir ?? null,
    downloadable: isHubModel(spec),
    active: spec.name === active.imageModel || spec.name === active.audioModel,
  }));
}

/** The model to download, or a typed refusal: unknown, not on the hub, or offline mode on. */
export function downloadableModel(name: string, offline: boolean): HubModelSpec {
  const spec = findBuiltinModel(name);
  if (!spec) throw new NotFoundError(`unknown model "${name}" (see \`trove models list\`)`);
  if (!isHubModel(spec)) throw new InvalidInputError(`${name} is not on the hub: import its folder instead (\`trove models import DIR\`)`);
  if (offline) {
    throw new ConflictError(
      `offline mode is on, so ${name} cannot be downloaded. Turn it off in Settings, or import the model from a folder`,
    );
  }
  return spec;
}
