/**
 * Merging ranked lists from different embedding spaces. CLIP's and CLAP's cosines are not
 * comparable (a good text-to-photo match sits near 0.3, a text-to-sound one elsewhere), so each hit
 * is placed by how far it stands above its own model's background for the query: (score - mean) /
 * spread. Lists from one space (or tag scores) are merged by score. Either way a file found twice
 * (a video by its picture and by its sound) is listed once, where it ranks best. Pure functions.
 */
export interface Background {
  mean: number;
  spread: number;
}

export interface Ranked {
  fileId: number;
  score: number;
}

/** Standard score of a hit against its model's background for the query. */
export function standardScore(score: number, background: Background): number {
  return (score - background.mean) / (background.spread || 1);
}

/** Hits of several spaces, each list with its background, best standard score first, one per file. */
export function fuseCalibrated<T extends Ranked>(lists: { hits: T[]; background: Background }[]): T[] {
  const scored = lists.flatMap((list) => list.hits.map((hit) => ({ hit, z: standardScore(hit.score, list.background) })));
  return oncePerFile(scored.sort((a, b) => b.z - a.z).map((s) => s.hit));
}

/** Hits whose scores are comparable, best first, one per file. */
export function fuseByScore<T extends Ranked>(lists: T[][]): T[] {
  return oncePerFile(lists.flat().sort((a, b) => b.score - a.score));
}

function oncePerFile<T extends Ranked>(ranked: T[]): T[] {
  const listed = new Set<number>();
  return ranked.filter((hit) => !listed.has(hit.fileId) && listed.add(hit.fileId));
}
