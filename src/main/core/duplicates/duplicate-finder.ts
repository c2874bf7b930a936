/**
 * Duplicate photos, recordings and videos of the library, grouped, each group with a suggested
 * keeper, best groups first; and the person's decisions in the review, which are theirs: a mark they
 * changed stays changed across reloads, trashing and "Look again", and a group they said is not a
 * group of duplicates is never shown again (a group that gains a new copy is shown, with it) until
 * they undo it. The image model's stored embeddings are a second opinion on near duplicate photos
 * when the model measures visual similarity (CLIP), without loading the model.
 */
import { findBuiltinModel } from '../models/registry.js';
import type { LibraryStore } from '../store/library-store.js';
import type { GroupFile } from '../store/fingerprint-repo.js';
import { findAudioDuplicates } from './audio-duplicates.js';
import { findPhotoDuplicates, type DuplicateGroup, type FindOptions } from './photo-duplicates.js';
import { findVideoDuplicates } from './video-duplicates.js';

export type { DuplicateGroup, DuplicateMember } from './photo-duplicates.js';
export type DuplicateOptions = Omit<FindOptions, 'embeddingCheck'>;

export class DuplicateFinder {
  constructor(private readonly store: LibraryStore) {}

  /** Every group of duplicates, less those the person said are not duplicates. */
  async find(options: DuplicateOptions = {}): Promise<DuplicateGroup[]> {
    const spec = findBuiltinModel(this.store.settings.get().imageModel);
    const modelRow = this.store.vectors.modelNames().find((m) => m.name === spec?.name);
    const minCosine = spec?.kind === 'clip' ? spec.nearDuplicateMinCosine : undefined;
    const photos = await findPhotoDuplicates(this.store.fingerprints, {
      ...options,
      embeddingCheck: modelRow && minCosine ? { modelId: modelRow.id, vectors: this.store.vectors, minCosine } : undefined,
    });
    const recordings = await findAudioDuplicates(this.store.fingerprints, options);
    const videos = await findVideoDuplicates(this.store.fingerprints, options);
    const dismissed = this.store.review.dismissed().map((contents) => new Set(contents));
    return [...photos, ...recordings, ...videos]
      .filter((group) => !dismissed.some((set) => group.contents.every((c) => set.has(c))))
      .sort((x, y) => y.similarity - x.similarity || y.members.length - x.members.length);
  }

  /** Whether each member of a group goes to the trash: the person's mark, else all but the keeper. */
  marks(group: DuplicateGroup): Map<number, boolean> {
    const chosen = this.store.review.marks(group.members.map((m) => m.fileId));
    return new Map(group.members.map((m) => [m.fileId, chosen.get(m.fileId) ?? m.fileId !== group.keeper]));
  }

  mark(fileId: number, trash: boolean): void {
    this.store.review.setMark(fileId, trash);
  }

  /** "Not duplicates" for the group of these contents, or undone. */
  setNotDuplicates(contents: number[], notDuplicates: boolean): void {
    if (notDuplicates) this.store.review.dismiss(contents);
    else this.store.review.undismiss(contents);
  }

  /** The groups said not to be duplicates, newest first, with their files as they are now. */
  notDuplicates(): { contents: number[]; files: GroupFile[] }[] {
    return this.store.review
      .dismissed()
      .map((contents) => ({ contents, files: contents.flatMap((id) => this.store.fingerprints.readyFiles(id)) }))
      .filter((group) => group.files.length > 0);
  }
}
