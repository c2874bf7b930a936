/**
 * Runs a bring-your-own ONNX model with onnxruntime-node as its manifest describes: one input
 * tensor, a vector read from one output (optionally softmax/sqrt-softmax/sigmoid, then L2-normalised)
 * and, when the model has class labels, its top labels as tags.
 */
import * as ort from 'onnxruntime-node';
import { parse as parseCsv } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelManifest } from '../manifest.js';
import { l2Normalize, NO_SPINNING, sigmoid, softmax, type Embedder, type ImageEmbedding } from './embedder.js';
import type { Tag } from '../../store/vector-repo.js';

export class ManifestEmbedder implements Embedder {
  readonly hasText = false;
  dim = 0;

  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly manifest: ModelManifest,
    private readonly labels: string[] | undefined,
  ) {}

  static async load(dir: string, manifest: ModelManifest, threads: number): Promise<ManifestEmbedder> {
    const session = await ort.InferenceSession.create(join(dir, manifest.file), {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      extra: NO_SPINNING,
    });
    for (const name of [manifest.vector.output, manifest.tags?.output].filter(Boolean) as string[]) {
      if (!session.outputNames.includes(name)) {
        throw new Error(`model ${manifest.name} has no output "${name}" (it has: ${session.outputNames.join(', ')})`);
      }
    }
    if (!session.inputNames.includes(manifest.input)) {
      throw new Error(`model ${manifest.name} has no input "${manifest.input}" (it has: ${session.inputNames.join(', ')})`);
    }
    const labels = manifest.labels
      ? readLabels(join(dir, manifest.labels.file), manifest.labels.format, manifest.labels.column)
      : undefined;
    return new ManifestEmbedder(session, manifest, labels);
  }

  async embedImages(pixels: Float32Array, count: number, size: number): Promise<ImageEmbedding[]> {
    return this.run(new ort.Tensor('float32', pixels, [count, 3, size, size]), count);
  }

  async embedAudio(samples: Float32Array, count: number, length: number): Promise<ImageEmbedding[]> {
    return this.run(new ort.Tensor('float32', samples, [count, length]), count);
  }

  private async run(input: ort.Tensor, count: number): Promise<ImageEmbedding[]> {
    const outputs = await this.session.run({ [this.manifest.input]: input });
    const vectors = splitRows(outputs[this.manifest.vector.output]!, count);
    const tagRows = this.manifest.tags ? splitRows(outputs[this.manifest.tags.output]!, count) : undefined;
    return vectors.map((raw, i) => {
      const vector = l2Normalize(transform(raw, this.manifest.vector.transform));
      this.dim = vector.length;
      return { vector, tags: tagRows ? this.topTags(tagRows[i]!) : [] };
    });
  }

  async embedTexts(): Promise<Float32Array[]> {
    throw new Error(`model ${this.manifest.name} has no text encoder`);
  }

  private topTags(raw: Float32Array): Tag[] {
    const tags = this.manifest.tags!;
    const scores = tags.activation === 'softmax' ? softmax(raw) : tags.activation === 'sigmoid' ? sigmoid(raw) : raw;
    const order = Array.from(scores.keys()).sort((a, b) => scores[b]! - scores[a]!);
    return order
      .slice(0, tags.top)
      .filter((i) => scores[i]! >= tags.minScore && this.labels?.[i] !== undefined)
      .map((i) => ({ label: this.labels![i]!, score: scores[i]! }));
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

function transform(raw: Float32Array, kind: ModelManifest['vector']['transform']): Float32Array {
  switch (kind) {
    case 'softmax':
      return softmax(raw);
    case 'sqrt-softmax':
      // Hellinger-style embedding of a class distribution: cosine then compares distributions well.
      return softmax(raw).map(Math.sqrt);
    case 'sigmoid':
      return sigmoid(raw);
    default:
      return raw.slice();
  }
}

function splitRows(tensor: ort.Tensor, count: number): Float32Array[] {
  const data = tensor.data as Float32Array;
  const width = data.length / count;
  return Array.from({ length: count }, (_, i) => data.slice(i * width, (i + 1) * width));
}

export function readLabels(file: string, format: 'json-array' | 'csv' | 'text-lines', column?: string): string[] {
  const text = readFileSync(file, 'utf8');
  if (format === 'json-array') {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string')) throw new Error(`${file}: expected a JSON array of strings`);
    return parsed;
  }
  if (format === 'text-lines')
    return text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== '');
  const records = parseCsv(text, { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  const key = column ?? Object.keys(records[0] ?? {}).pop();
  if (!key || !records.every((r) => key in r)) throw new Error(`${file}: no column "${column}"`);
  return records.map((r) => r[key]!);
}
