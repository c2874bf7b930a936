/**
 * CLIP through @huggingface/transformers on onnxruntime-node: the tokenizer and the text and vision
 * encoders with projection, loaded from a local folder only (downloads are Trove's own job, with
 * integrity checks; transformers.js is never allowed to reach the network). Each encoder is loaded
 * the first time it is needed, so indexing never pays for the text model and search never for vision.
 */
import { AutoTokenizer, CLIPTextModelWithProjection, CLIPVisionModelWithProjection, env, Tensor } from '@huggingface/transformers';
import { basename, dirname } from 'node:path';
import { l2Normalize, NO_SPINNING, type Embedder, type ImageEmbedding } from './embedder.js';

type Tokenizer = Awaited<ReturnType<typeof AutoTokenizer.from_pretrained>>;
type TextModel = Awaited<ReturnType<typeof CLIPTextModelWithProjection.from_pretrained>>;
type VisionModel = Awaited<ReturnType<typeof CLIPVisionModelWithProjection.from_pretrained>>;

export class ClipEmbedder implements Embedder {
  readonly hasText = true;
  dim = 0;
  private tokenizer?: Promise<Tokenizer>;
  private textModel?: Promise<TextModel>;
  private visionModel?: Promise<VisionModel>;
  private readonly modelId: string;
  private readonly options: Record<string, unknown>;

  constructor(dir: string, dtype: 'q8' | 'fp32', threads: number) {
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.useFSCache = false;
    env.localModelPath = `${dirname(dir)}/`;
    this.modelId = basename(dir);
    this.options = {
      dtype,
      device: 'cpu',
      local_files_only: true,
      session_options: { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', extra: NO_SPINNING },
    };
  }

  async embedImages(pixels: Float32Array, count: number, size: number): Promise<ImageEmbedding[]> {
    this.visionModel ??= CLIPVisionModelWithProjection.from_pretrained(this.modelId, this.options);
    const model = await this.visionModel;
    const output = await model({ pixel_values: new Tensor('float32', pixels, [count, 3, size, size]) });
    return rows(output.image_embeds).map((vector) => ({ vector, tags: [] }));
  }

  async embedTexts(texts: string[]): Promise<Float32Array[]> {
    this.tokenizer ??= AutoTokenizer.from_pretrained(this.modelId, { local_files_only: true });
    this.textModel ??= CLIPTextModelWithProjection.from_pretrained(this.modelId, this.options);
    const tokenizer = await this.tokenizer;
    const inputs = tokenizer(texts, { padding: true, truncation: true });
    const output = await (await this.textModel)(inputs);
    return rows(output.text_embeds);
  }

  async dispose(): Promise<void> {
    for (const model of [this.textModel, this.visionModel]) await (await model?.catch(() => undefined))?.dispose();
  }
}

function rows(tensor: Tensor): Float32Array[] {
  const [count, dim] = tensor.dims as [number, number];
  const data = tensor.data as Float32Array;
  return Array.from({ length: count }, (_, i) => l2Normalize(data.slice(i * dim, (i + 1) * dim)));
}
