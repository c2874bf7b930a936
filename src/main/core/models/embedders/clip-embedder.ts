/**
 * CLIP through @huggingface/transformers on onnxruntime-node: the tokenizer and the text and vision
 * encoders with projection, loaded from a local folder only. Each encoder is loaded the first time
 * it is needed, so indexing never pays for the text model and search never for vision.
 */
import { AutoTokenizer, CLIPTextModelWithProjection, CLIPVisionModelWithProjection, Tensor } from '@huggingface/transformers';
import type { Embedder, ImageEmbedding } from './embedder.js';
import { localModel, normalizedRows, type LocalModel } from './transformers-local.js';

type Tokenizer = Awaited<ReturnType<typeof AutoTokenizer.from_pretrained>>;
type TextModel = Awaited<ReturnType<typeof CLIPTextModelWithProjection.from_pretrained>>;
type VisionModel = Awaited<ReturnType<typeof CLIPVisionModelWithProjection.from_pretrained>>;

export class ClipEmbedder implements Embedder {
  readonly hasText = true;
  dim = 0;
  private tokenizer?: Promise<Tokenizer>;
  private textModel?: Promise<TextModel>;
  private visionModel?: Promise<VisionModel>;
  private readonly model: LocalModel;

  constructor(dir: string, dtype: 'q8' | 'fp32', threads: number) {
    this.model = localModel(dir, dtype, threads);
  }

  async embedImages(pixels: Float32Array, count: number, size: number): Promise<ImageEmbedding[]> {
    this.visionModel ??= CLIPVisionModelWithProjection.from_pretrained(this.model.modelId, this.model.options);
    const model = await this.visionModel;
    const output = await model({ pixel_values: new Tensor('float32', pixels, [count, 3, size, size]) });
    return normalizedRows(output.image_embeds).map((vector) => ({ vector, tags: [] }));
  }

  async embedTexts(texts: string[]): Promise<Float32Array[]> {
    this.tokenizer ??= AutoTokenizer.from_pretrained(this.model.modelId, { local_files_only: true });
    this.textModel ??= CLIPTextModelWithProjection.from_pretrained(this.model.modelId, this.model.options);
    const tokenizer = await this.tokenizer;
    const inputs = tokenizer(texts, { padding: true, truncation: true });
    const output = await (await this.textModel)(inputs);
    return normalizedRows(output.text_embeds);
  }

  async dispose(): Promise<void> {
    for (const model of [this.textModel, this.visionModel]) await (await model?.catch(() => undefined))?.dispose();
  }
}
