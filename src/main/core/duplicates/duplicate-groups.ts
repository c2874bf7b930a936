/**
 * Turns clusters of alike contents into the groups the review screen shows: every ready file of the
 * cluster's contents, a suggested keeper, and each member's likeness to the keeper.
 */
import type { MediaKind } from '../media/media-types.js';
import type { DuplicateMember as ApiDuplicateMember } from '../../../shared/api.js';
import type { Db } from '../store/database.js';

/** A file of a group, as the API describes it (less its display name). */
export type DuplicateMember = Omit<ApiDuplicateMember, 'name'>;

export interface DuplicateGroup {
  kind: 'exact' | 'near';
  media: 'photo' | 'audio' | 'video';
  /** The lowest likeness of a member to the keeper. */
  similarity: number;
  keeper: number;
  members: DuplicateMember[];
}

export interface GroupFile {
  id: number;
  path: string;
  size: number;
  mtime_ms: number;
  width: number | null;
  height: number | null;
  taken_at: number | null;
  duration_s: number | null;
}

export interface GroupingRules {
  media: DuplicateGroup['media'];
  /** Sorts the best keeper first. */
  keeperOrder: (x: GroupFile, y: GroupFile) => number;
  /** Likeness (0..1) of a content to the keeper's content. */
  likeness: (keeperContent: number, content: number) => number;
}

/** Contents with several identical ready files of a kind: exact groups when in no other group. */
export function contentsWithCopies(db: Db, kind: MediaKind): number[] {
  return (
    db
      .prepare(
        `SELECT f.content_id AS id FROM files f JOIN contents c ON c.id = f.content_id
         WHERE f.status = 'ready' AND c.kind = ? GROUP BY f.content_id HAVING COUNT(*) > 1`,
      )
      .all(kind) as { id: number }[]
  ).map((r) => r.id);
}

export function buildGroups(db: Db, clusters: number[][], rules: GroupingRules): DuplicateGroup[] {
  const filesOf = db.prepare(
    `SELECT f.id, f.path, f.size, f.mtime_ms, c.width, c.height, c.taken_at, c.duration_s FROM files f JOIN contents c ON c.id = f.content_id
     WHERE f.content_id = ? AND f.status = 'ready' ORDER BY f.path`,
  );
  const groups: DuplicateGroup[] = [];
  for (const cluster of clusters) {
    const files = cluster.flatMap((contentId) => (filesOf.all(contentId) as GroupFile[]).map((file) => ({ contentId, file })));
    if (files.length < 2) continue;
    const keeper = [...files].sort((x, y) => rules.keeperOrder(x.file, y.file))[0]!;
    const members: DuplicateMember[] = files.map(({ contentId, file }) => ({
      fileId: file.id,
      path: file.path,
      width: file.width,
      height: file.height,
      bytes: file.size,
      date: file.taken_at ?? file.mtime_ms,
      similarity: contentId === keeper.contentId ? 1 : round(rules.likeness(keeper.contentId, contentId)),
    }));
    groups.push({
      kind: cluster.length === 1 ? 'exact' : 'near',
      media: rules.media,
      similarity: Math.min(...members.map((m) => m.similarity)),
      keeper: keeper.file.id,
      members,
    });
  }
  return groups;
}

/** Ties between equally good keepers: the oldest, then the shortest path, then by name. */
export function olderThenShorter(x: GroupFile, y: GroupFile): number {
  return (x.taken_at ?? x.mtime_ms) - (y.taken_at ?? y.mtime_ms) || x.path.length - y.path.length || x.path.localeCompare(y.path);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/**
 * Contents of a kind indexed before their fingerprint existed (`column` is NULL) get one now, once:
 * `compute` reads a ready file of each and returns the values for `update` (its last parameter is
 * the content id). A file unreadable now simply takes no part in near-duplicate search.
 */
export async function backfillFingerprints(
  db: Db,
  what: { kind: MediaKind; column: string; update: string },
  compute: (path: string) => Promise<unknown[]>,
  options: { signal?: AbortSignal; onProgress?: (done: number, total: number, phase: 'fingerprints') => void },
): Promise<void> {
  const missing = db
    .prepare(
      `SELECT c.id, (SELECT f.path FROM files f WHERE f.content_id = c.id AND f.status = 'ready' LIMIT 1) AS path
       FROM contents c WHERE c.kind = ? AND c.${what.column} IS NULL`,
    )
    .all(what.kind) as { id: number; path: string | null }[];
  const store = db.prepare(what.update);
  for (const [done, { id, path }] of missing.entries()) {
    if (options.signal?.aborted) throw new Error('stopped');
    if (!path) continue;
    try {
      store.run(...(await compute(path)), id);
    } catch {
      // Unreadable now.
    }
    if (done % 20 === 0) options.onProgress?.(done, missing.length, 'fingerprints');
  }
}
