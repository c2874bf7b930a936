/** The bring-your-own ONNX manifest: shipped manifests are valid, broken ones say what is wrong. */
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/main/core/models/manifest.js';
import { builtinModels } from '../../src/main/core/models/registry.js';

const valid = {
  name: 'my-model',
  modality: 'image',
  file: 'model.onnx',
  input: 'input',
  image: { size: 224 },
  vector: { output: 'output' },
};

describe('model manifest', () => {
  it('ships valid manifests for the offline models', () => {
    const names = builtinModels().map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining(['clip-vit-base-patch32', 'mobilenet-v2-int8', 'efficientat-mn04-as']));
    const audio = builtinModels().find((m) => m.name === 'efficientat-mn04-as');
    expect(audio?.kind === 'onnx' && audio.manifest.audio?.sampleRate).toBe(32000);
  });

  it('fills defaults', () => {
    const m = parseManifest(valid, 'x.json');
    expect(m.vector.transform).toBe('none');
    expect(m.image?.mean).toEqual([0, 0, 0]);
    expect(m.image?.rescale).toBe(true);
  });

  it.each([
    [{ ...valid, image: undefined }, /needs an "image" section/],
    [{ ...valid, file: '../../etc/passwd' }, /file: must be a path inside the model folder/],
    [{ ...valid, file: '/abs/model.onnx' }, /file: must be a path inside the model folder/],
    [{ ...valid, name: 'bad name!' }, /name: letters, digits/],
    [{ ...valid, tags: { output: 'output', activation: 'softmax' } }, /"tags" needs "labels"/],
    [{ ...valid, vector: { output: 'output', transform: 'cube' } }, /vector.transform/],
  ])('rejects %# with a readable message', (manifest, message) => {
    expect(() => parseManifest(manifest, 'x.json')).toThrow(message);
  });
});
