/**
 * Gets a model ready to use: finds its files (or downloads them, unless offline), starts it in the
 * inference worker, registers it in the database and opens its vector index.
 */
import type { ImagePreprocess } from '../media/image-preprocess.js';
import { VectorIndex, type IndexOpenReport } from '../index/vector-index.js';
import type { VectorRepo } from '../store/vector-repo.js';
import { InferenceClient } from './inference-client.js';
import { DownloadError, downloadHubModel, type DownloadProgress } from './hub-download.js';
import { locateModel, ModelNotInstalledError, type ResolvedModel } from './model-locator.js';
import { TextReaderPool } from './text-reader-pool.js';
import { audioSettingsOf, findBuiltinModel, isHubModel, modalityOf, type ModelSpec } from './registry.js';

export interface LoadedModel {
  name: string;
  spec: ModelSpec;
  dir: string;
  modelId: number;
  dim: number;
  hasText: boolean;
  /** ONNX Runtime threads the model runs with. */
  threads: number;
  preprocess: ImagePreprocess;
  index: VectorIndex;
  indexReport: IndexOpenReport;
  client: InferenceClient;
}

/** The audio model, in the worker's audio slot beside the image model. */
export interface LoadedAudioModel {
  slot: 'audio';
  name: string;
  modelId: number;
  dim: number;
  /** CLAP places text in the same space as sounds; tag-only models match text by their labels. */
  hasText: boolean;
  sampleRate: number;
  /** Long recordings are embedded in windows of this many seconds. */
  windowSeconds: number;
  index: VectorIndex;
  client: InferenceClient;
}

export interface ModelManagerOptions {
  cacheDir: string;
  indexDir: string;
  threads: number;
  offline: () => boolean;
  vectors: VectorRepo;
  workerEntry?: URL;
  onDownloadProgress?: (p: DownloadProgress) => void;
}

export class ModelManager {
  private client: InferenceClient | undefined;
  private loaded: LoadedModel | undefined;
  private loading: Promise<LoadedModel> | undefined;
  private audio: LoadedAudioModel | undefined;
  /** The OCR models (shipped in an npm package, nothing to download), in workers of their own. */
  private reader: TextReaderPool | undefined;

  constructor(private readonly options: ModelManagerOptions) {}

  current(): LoadedModel | undefined {
    return this.loaded;
  }

  async use(name: string, signal?: AbortSignal): Promise<LoadedModel> {
    if (this.loaded?.name === name) return this.loaded;
    if (this.loading) {
      const pending = await this.loading.catch(() => undefined);
      if (pending?.name === name) return pending;
    }
    this.loading = this.load(name, signal);
    try {
      this.loaded = await this.loading;
      return this.loaded;
    } finally {
      this.loading = undefined;
    }
  }

  /** Whether a model's files are here (imported, downloaded, or in TROVE_MODELS_DIR). */
  isInstalled(name: string): boolean {
    return locateModel(name, this.options.cacheDir) !== undefined;
  }

  /** Locates a model, downloading it first when it is a hub model and downloads are allowed. */
  async ensureInstalled(name: string, signal?: AbortSignal): Promise<ResolvedModel> {
    const found = locateModel(name, this.options.cacheDir);
    if (found) return found;
    const spec = findBuiltinModel(name);
    if (!spec) {
      throw new ModelNotInstalledError(
        name,
        `unknown model "${name}": see \`trove models list\`, or import a folder with a trove-model.json manifest`,
      );
    }
    if (!isHubModel(spec)) {
      throw new ModelNotInstalledError(
        name,
        `model ${name} is not installed. Put its files in a folder named "${name}" and run \`trove models import <parent folder>\`, or point TROVE_MODELS_DIR at the parent folder`,
      );
    }
    if (this.options.offline()) {
      throw new ModelNotInstalledError(
        name,
        `model ${name} is not installed and offline mode forbids downloading it. On a machine with internet, run \`trove models download ${name}\` and copy the folder, then \`trove models import <folder>\`; or set TROVE_MODELS_DIR`,
      );
    }
    await downloadHubModel(spec, this.options.cacheDir, { signal, onProgress: this.options.onDownloadProgress });
    const downloaded = locateModel(name, this.options.cacheDir);
    if (!downloaded) throw new Error(`model ${name} was downloaded but its files are incomplete`);
    return downloaded;
  }

  private async load(name: string, signal?: AbortSignal): Promise<LoadedModel> {
    const resolved = await this.ensureInstalled(name, signal);
    const { spec, dir, preprocess } = resolved;
    if (modalityOf(spec) !== 'image') {
      throw new Error(`${spec.name} is an audio model: choose it as the audio model (\`trove index --audio-model ${spec.name}\`)`);
    }
    if (!preprocess) throw new Error(`${spec.name} has no image preprocessing settings`);
    this.client ??= new InferenceClient(this.options.workerEntry);
    const loading = this.client.load({
      kind: spec.kind,
      dir,
      dtype: isHubModel(spec) ? spec.dtype : undefined,
      manifest: spec.kind === 'onnx' ? spec.manifest : undefined,
      threads: this.options.threads,
      probeSize: preprocess.size,
      probeText: true,
    });
    // A model the library knows has its index opened while the worker loads the model (at a million
    // vectors both take a second or more); a new one's dimension is known once the model is loaded.
    const known = this.options.vectors.findModel(spec.name);
    const opening = known ? this.openIndex(spec.name, known.dim, known.id) : undefined;
    opening?.catch(() => undefined); // awaited below, after the model; never an unhandled rejection meanwhile
    const { dim, hasText } = await loading;
    const modelId = this.options.vectors.modelId(spec.name, dim);
    const { index, report } = await (known?.dim === dim && opening ? opening : this.openIndex(spec.name, dim, modelId));
    this.loaded?.index.save();
    return {
      name: spec.name,
      spec,
      dir,
      modelId,
      dim,
      hasText,
      threads: this.options.threads,
      preprocess,
      index,
      indexReport: report,
      client: this.client,
    };
  }

  private openIndex(name: string, dim: number, modelId: number): ReturnType<typeof VectorIndex.open> {
    return VectorIndex.open(this.options.indexDir, name, dim, this.options.vectors, modelId, { threads: this.options.threads });
  }

  currentAudio(): LoadedAudioModel | undefined {
    return this.audio;
  }

  /** Loads an audio model into the worker's audio slot (the image model stays loaded). */
  async useAudio(name: string, signal?: AbortSignal): Promise<LoadedAudioModel> {
    if (this.audio?.name === name) return this.audio;
    const { spec, dir } = await this.ensureInstalled(name, signal);
    const audio = audioSettingsOf(spec);
    if (modalityOf(spec) !== 'audio' || !audio) throw new Error(`${spec.name} is not an audio model (see \`trove models list\`)`);
    const { sampleRate, windowSeconds } = audio;
    this.client ??= new InferenceClient(this.options.workerEntry);
    const { dim, hasText } = await this.client.load({
      slot: 'audio',
      kind: spec.kind,
      dir,
      dtype: isHubModel(spec) ? spec.dtype : undefined,
      manifest: spec.kind === 'onnx' ? spec.manifest : undefined,
      threads: this.options.threads,
      probeSamples: sampleRate,
    });
    const modelId = this.options.vectors.modelId(spec.name, dim);
    const { index } = await VectorIndex.open(this.options.indexDir, spec.name, dim, this.options.vectors, modelId, {
      threads: this.options.threads,
    });
    this.audio?.index.save();
    this.audio = { slot: 'audio', name: spec.name, modelId, dim, hasText, sampleRate, windowSeconds, index, client: this.client };
    return this.audio;
  }

  /** Brings the open indexes up to date with the database (another process may have added to it). */
  resyncIndexes(): void {
    for (const model of [this.loaded, this.audio]) model?.index.catchUp(this.options.vectors, model.modelId);
  }

  /**
   * The readers of text in pictures (PP-OCRv4), in workers of their own within the inference
   * threads the models have (see TextReaderPool); opened on first use, or ahead with `warm`.
   */
  textReader(): TextReaderPool {
    this.reader ??= new TextReaderPool(this.options.threads, this.options.workerEntry);
    return this.reader;
  }

  async close(): Promise<void> {
    const reader = this.reader;
    this.reader = undefined;
    await reader?.close();
    this.loaded?.index.save();
    this.audio?.index.save();
    this.audio = undefined;
    await this.client?.close();
    this.client = undefined;
    this.loaded = undefined;
  }
}

/**
 * The model is not here and cannot be had now: not installed with downloads off, or its download
 * failed (no network, the hub down). Either way what needs no such model goes on, and the person is
 * told what to do.
 */
export function isModelUnavailable(error: unknown): error is ModelNotInstalledError | DownloadError {
  return error instanceof ModelNotInstalledError || error instanceof DownloadError;
}
