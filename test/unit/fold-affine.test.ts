/**
 * Folding affine blocks and hard-swish chains (media/ocr/fold-affine) must not change what a network
 * computes: every shape of the rewrite on a small graph, run by ONNX Runtime before and after, and
 * the cases that must be left alone (shared weights, a value the graph also outputs).
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GraphBuilder, DataType, seededRandom } from '../../scripts/fixtures/onnx-graph-builder.js';
import { foldAffineBlocks } from '../../src/main/core/media/ocr/fold-affine.js';

const SHAPE = [1, 4, 9, 11];

/** x -> Conv(no bias) -> affine -> hard-swish -> affine -> padded 3x3 Conv -> affine -> 1x1 Conv -> out. */
function blocks(): Uint8Array {
  const g = new GraphBuilder(seededRandom(7));
  const x = g.input('x', DataType.FLOAT, SHAPE);
  const scalar = (v: number) => g.constantFloat([v], [1]);
  const affine = (input: string, s: number, b: number) => g.op('Add', [g.op('Mul', [scalar(s), input]), scalar(b)]);
  const hardSwish = (y: string) =>
    g.op('Div', [g.op('Mul', [y, g.op('Clip', [g.op('Add', [y, scalar(3)]), scalar(0), scalar(6)])]), scalar(6)]);
  const first = g.op('Conv', [x, g.randomWeight('w1', [6, 4, 1, 1], 0.5)]);
  const gated = hardSwish(affine(first, 1.7, 0.4));
  const padded = g.op('Conv', [affine(gated, 0.6, -0.3), g.randomWeight('w2', [6, 1, 3, 3], 0.5), g.randomWeight('b2', [6], 0.1)], {
    group: 6,
    pads: [1, 1, 1, 1],
    kernel_shape: [3, 3],
  });
  const last = g.op('Conv', [
    affine(hardSwish(padded), 0.8, 0.25),
    g.randomWeight('w3', [5, 6, 1, 1], 0.5),
    g.randomWeight('b3', [5], 0.1),
  ]);
  g.op('Relu', [last], {}, 'out');
  g.output('out', DataType.FLOAT, [1, 5, 9, 11]);
  return g.encode(13);
}

async function run(model: Uint8Array, input: Float32Array): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'all', intraOpNumThreads: 1 });
  try {
    const out = await session.run({ x: new ort.Tensor('float32', input, SHAPE) });
    return Object.fromEntries(Object.entries(out).map(([name, tensor]) => [name, tensor.data as Float32Array]));
  } finally {
    await session.release();
  }
}

function randomInput(): Float32Array {
  const random = seededRandom(11);
  return Float32Array.from({ length: SHAPE.reduce((a, b) => a * b, 1) }, () => random() * 8 - 4);
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  return a.reduce((worst, v, i) => Math.max(worst, Math.abs(v - b[i]!)), 0);
}

describe('folding affine blocks into convolutions', () => {
  it('computes the same outputs with fewer nodes, the padded convolution keeping its offset as one add', async () => {
    const model = blocks();
    const folded = foldAffineBlocks(model);
    // One affine block after a convolution (with no bias of its own), two hard-swish chains, two
    // blocks before convolutions (one padded: its offset stays).
    expect(folded.folded).toBe(5);
    expect(folded.model.length).not.toBe(model.length);
    const input = randomInput();
    const [before, after] = await Promise.all([run(model, input), run(folded.model, input)]);
    expect(maxDifference(before.out!, after.out!)).toBeLessThan(1e-4);
    // The values are not trivially zero (the Relu passes something).
    expect(before.out!.some((v) => v > 0.01)).toBe(true);
  });

  it('leaves weights two convolutions share, and a value the graph also outputs, as they were', async () => {
    const g = new GraphBuilder(seededRandom(3));
    const x = g.input('x', DataType.FLOAT, SHAPE);
    const shared = g.randomWeight('shared', [4, 4, 1, 1], 0.5);
    const a = g.op('Conv', [x, shared]);
    g.op('Add', [g.op('Mul', [g.constantFloat([2], [1]), a]), g.constantFloat([1], [1])], {}, 'first');
    const b = g.op('Conv', [x, shared], {}, 'second');
    g.op('Mul', [b, g.constantFloat([3], [1])], {}, 'third');
    g.output('first', DataType.FLOAT, SHAPE);
    g.output('second', DataType.FLOAT, SHAPE);
    g.output('third', DataType.FLOAT, SHAPE);
    const model = g.encode(13);
    const folded = foldAffineBlocks(model);
    expect(folded.folded).toBe(0);
    expect(folded.model).toBe(model);
  });
});
