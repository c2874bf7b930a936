/**
 * The repositories of an engine's library, for tests to look at its state and to set up the odd
 * state a test needs (as a lost event or an old library would leave it): a second connection to the
 * same SQLite file (WAL lets it read and write beside the engine's), used only through repository
 * and query methods, never SQL.
 */
import { join } from 'node:path';
import type { Engine } from '../../src/main/core/engine.js';
import { LibraryStore } from '../../src/main/core/store/library-store.js';

const open = new Map<string, LibraryStore>();

export function storeOf(engine: Engine | string): LibraryStore {
  const dir = typeof engine === 'string' ? engine : engine.options.libraryDir;
  let store = open.get(dir);
  if (!store?.isOpen) {
    store = LibraryStore.open(join(dir, 'library.db'));
    open.set(dir, store);
  }
  return store;
}
