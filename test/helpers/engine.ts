/**
 * A fresh library for tests about pictures: offline, in temporary folders, with no audio model to
 * wait for and the words in pictures not read (a test about reading turns that on itself).
 */
import { Engine } from '../../src/main/core/engine.js';
import { tempDir } from './temp.js';

export function openPicturesLibrary(): Engine {
  const engine = Engine.open({ libraryDir: tempDir(), offline: true, modelCacheDir: tempDir() });
  engine.settings.update({ audioModel: null, readText: false });
  return engine;
}
