/**
 * CLAP (`Xenova/clap-htsat-unfused`) through @huggingface/transformers: sounds and their descriptions
 * in one space, so "dog barking" finds the recordings of barking and a recording finds similar ones.
 * The audio side takes 10 s windows at 48 kHz (the engine cuts long recordings into windows; a
 * shorter window is repeated to 10 s by the feature extractor, as the model was trained); each
 * window becomes a log-mel spectrogram here, then one vector.
 */
import {
  AutoFeatureExtractor,
  AutoTokenizer,
  ClapAudioModelWithProjection,
  ClapTextModelWithProjection,
  Tensor,
} from '@huggingface/transformers';
import type { Embedder, ImageEmbedding } from './embedder.js';
import { localModel, normalizedRows, type LocalModel } from './transformers-local.js';

type Tokenizer = Awaited<ReturnType<typeof AutoTokenizer.from_pretrained>>;
type FeatureExtractor = Awaited<ReturnType<typeof AutoFeatureExtractor.from_pretrained>>;
type TextModel = Awaited<ReturnType<typeof ClapTextModelWithProjection.from_pretrained>>;
type AudioModel = Awaited<ReturnType<typeof ClapAudioModelWithProjection.from_pretrained>>;

export class ClapEmbedder implements Embedder {
  readonly hasText = true;
  dim = 0;
  private tokenizer?: Promise<Tokenizer>;
  private features?: Promise<FeatureExtractor>;
  private textModel?: Promise<TextModel>;
  private audioModel?: Promise<AudioModel>;
  private readonly model: LocalModel;

  constructor(dir: string, dtype: 'q8' | 'fp32', threads: number) {
    this.model = localModel(dir, dtype, threads);
  }

  embedImages(): Promise<ImageEmbedding[]> {
    return Promise.reject(new Error('CLAP is an audio model: it does not take images'));
  }

  async embedAudio(samples: Float32Array, count: number, length: number): Promise<ImageEmbedding[]> {
    this.features ??= AutoFeatureExtractor.from_pretrained(this.model.modelId, { local_files_only: true });
    this.audioModel ??= ClapAudioModelWithProjection.from_pretrained(this.model.modelId, this.model.options);
    const extract = await this.features;
    const spectrograms: Tensor[] = [];
    for (let i = 0; i < count; i += 1) {
      const { input_features } = (await extract(samples.subarray(i * length, (i + 1) * length))) as { input_features: Tensor };
      spectrograms.push(input_features);
    }
    const [, channels, frames, mels] = spectrograms[0]!.dims as [number, number, number, number];
    const stacked = new Float32Array(count * channels * frames * mels);
    spectrograms.forEach((t, i) => stacked.set(t.data as Float32Array, i * channels * frames * mels));
    const output = await (await this.audioModel)({ input_features: new Tensor('float32', stacked, [count, channels, frames, mels]) });
    return normalizedRows(output.audio_embeds).map((vector) => ({ vector, tags: [] }));
  }

  async embedTexts(texts: string[]): Promise<Float32Array[]> {
    this.tokenizer ??= AutoTokenizer.from_pretrained(this.model.modelId, { local_files_only: true });
    this.textModel ??= ClapTextModelWithProjection.from_pretrained(this.model.modelId, this.model.options);
    const inputs = (await this.tokenizer)(texts, { padding: true, truncation: true });
    const output = await (await this.textModel)(inputs);
    return normalizedRows(output.text_embeds);
  }

  async dispose(): Promise<void> {
    for (const model of [this.textModel, this.audioModel]) await (await model?.catch(() => undefined))?.dispose();
  }
}
