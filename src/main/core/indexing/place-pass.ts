/**
 * Naming where photos were taken: every content with a GPS position and no place yet gets one from
 * the gazetteer (media/gazetteer), loaded only when there is a position to name. Microseconds a
 * photo once loaded: no progress of its own.
 */
import { Gazetteer } from '../media/gazetteer.js';
import type { LibraryStore } from '../store/library-store.js';

const BATCH = 500;
let gazetteer: Gazetteer | undefined;

export function nameThePlaces(store: LibraryStore, signal?: AbortSignal): number {
  let named = 0;
  for (;;) {
    if (signal?.aborted) break;
    const batch = store.places.unplaced(BATCH);
    if (batch.length === 0) break;
    gazetteer ??= Gazetteer.load();
    const known = gazetteer;
    store.atomically(() => {
      for (const { contentId, lat, lon } of batch) store.places.set(contentId, known.placeOf(lat, lon));
    });
    named += batch.length;
  }
  return named;
}
