/**
 * Duplicate photos, recordings and videos of the library, grouped, each group with a suggested
 * keeper, best groups first. The image model's stored embeddings are a second opinion on near
 * duplicate photos when the model measures visual similarity (CLIP), without loading the model.
 */
import { findBuiltinModel } from '../models/registry.js';
import type { LibraryStore } from '../store/library-store.js';
import { findAudioDuplicates } from './audio-duplicates.js';
import { findPhotoDuplicates, type DuplicateGroup, type FindOptions } from './photo-duplicates.js';
import { findVideoDuplicates } from './video-duplicates.js';

export type { DuplicateGroup, DuplicateMember } from './photo-duplicates.js';
export type DuplicateOptions = Omit<FindOptions, 'embeddingCheck'>;

export class DuplicateFinder {
  constructor(private readonly store: LibraryStore) {}

  async find(options: DuplicateOptions = {}): Promise<DuplicateGroup[]> {
    const spec = findBuiltinModel(this.store.settings.get().imageModel);
    const modelRow = this.store.vectors.modelNames().find((m) => m.name === spec?.name);
    const minCosine = spec?.kind === 'clip' ? spec.nearDuplicateMinCosine : undefined;
    const photos = await findPhotoDuplicates(this.store.fingerprints, {
      ...options,
      embeddingCheck: modelRow && minCosine ? { modelId: modelRow.id, vectors: this.store.vectors, minCosine } : undefined,
    });
    const recordings = await findAudioDuplicates(this.store.fingerprints, options);
    const videos = findVideoDuplicates(this.store.fingerprints, options);
    return [...photos, ...recordings, ...videos].sort((x, y) => y.similarity - x.similarity || y.members.length - x.members.length);
  }
}
