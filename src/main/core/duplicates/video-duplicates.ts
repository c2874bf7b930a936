/**
 * Duplicate and near-duplicate videos.
 *
 *  - Exact: files with the same content hash.
 *  - Near: the same clip in another encoding, size or container, or cut shorter. Each video keeps
 *    the perceptual hash of one frame a second (media/video-fingerprint.ts); two videos are the same
 *    clip when, aligned in time, their frames' hashes stay close over most of the shorter one — a
 *    video is never judged by one frame. Flat frames (black, fades) are left out of the comparison.
 *
 * Candidates come from a lookup, as for recordings: each 16-bit quarter of each frame hash votes for
 * "video B, shifted by this many frames"; only well-voted pairs are compared frame by frame.
 */
import type { FingerprintRepo } from '../store/fingerprint-repo.js';
import {
  coarsened,
  fingerprintVideo,
  SHORT_CLIP_S,
  videoFingerprintFromBlob,
  videoFingerprintToBlob,
  type VideoFingerprint,
} from '../media/video-fingerprint.js';
import { hammingDistance } from '../media/visual-fingerprint.js';
import { FLAT_DETAIL } from './photo-duplicates.js';
import { backfillFingerprints, buildGroups, type DuplicateGroup } from './duplicate-groups.js';
import { UnionFind } from './union-find.js';

/**
 * Aligned frames may differ by this many of the hash's 63 bits on average. Re-encodings of the
 * labelled clips measured 0-2; different clips of the same table-top scene 23 and more.
 */
export const MAX_MEAN_BITS = 12;
/** At least this many frames compared, covering at least this share of the shorter video. */
const MIN_FRAMES = 3;
const MIN_COVERAGE = 0.5;
/** Sampling intervals must agree this closely for frame-by-frame alignment to mean anything. */
const INTERVAL_TOLERANCE = 0.05;
const MIN_VOTES = 2;

export interface VideoMatch {
  shift: number;
  frames: number;
  meanBits: number;
  likeness: number;
}

/** The frames of `a` and of `b` shifted by `shift` that can be compared, and how close they are. */
export function compareVideos(a: VideoFingerprint, b: VideoFingerprint, shift: number): VideoMatch {
  let bits = 0;
  let frames = 0;
  for (let i = Math.max(0, -shift); i < a.frames.length && i + shift < b.frames.length; i += 1) {
    const x = a.frames[i]!;
    const y = b.frames[i + shift]!;
    if (x.detail < FLAT_DETAIL || y.detail < FLAT_DETAIL) continue;
    bits += hammingDistance(x.phash, y.phash);
    frames += 1;
  }
  const meanBits = frames ? bits / frames : 64;
  return { shift, frames, meanBits, likeness: Math.max(0, 1 - meanBits / 32) };
}

/** Whether an aligned comparison shows the same clip. */
export function sameClip(a: VideoFingerprint, b: VideoFingerprint, match: VideoMatch): boolean {
  const detailed = (v: VideoFingerprint) => v.frames.filter((f) => f.detail >= FLAT_DETAIL).length;
  const shorter = Math.min(detailed(a), detailed(b));
  return match.frames >= MIN_FRAMES && match.frames >= MIN_COVERAGE * shorter && match.meanBits <= MAX_MEAN_BITS;
}

export async function findVideoDuplicates(
  store: FingerprintRepo,
  options: { signal?: AbortSignal; onProgress?: (done: number, total: number, phase: 'fingerprints') => void } = {},
): Promise<DuplicateGroup[]> {
  // Short videos whose fingerprint was made before they were sampled densely (migration 12); longer
  // ones get theirs when they are embedded.
  await backfillFingerprints(
    store.missing('video', SHORT_CLIP_S),
    async (id, path) => store.setVideo(id, videoFingerprintToBlob(await fingerprintVideo(path, options.signal))),
    options,
  );
  const videos = store.blobs('video').map((r) => ({ id: r.id, fingerprint: videoFingerprintFromBlob(r.blob) }));
  // A short clip sampled four times a second is also matched at once a second, against a copy that
  // is just long enough to be sampled that way.
  const views = videos.flatMap((v) => {
    const coarse = coarsened(v.fingerprint, 1);
    return [{ id: v.id, fingerprint: v.fingerprint }, ...(coarse ? [{ id: v.id, fingerprint: coarse }] : [])];
  });
  const groups = new UnionFind();
  const likeness = new Map<string, number>();
  for (const [i, j, match] of matchingVideos(
    views.map((v) => v.fingerprint),
    options.signal,
  )) {
    const [a, b] = [views[i]!.id, views[j]!.id];
    if (a === b) continue;
    groups.union(a, b);
    likeness.set(`${a}:${b}`, Math.max(likeness.get(`${a}:${b}`) ?? 0, match.likeness));
    likeness.set(`${b}:${a}`, Math.max(likeness.get(`${b}:${a}`) ?? 0, match.likeness));
  }
  const byId = new Map(videos.map((v) => [v.id, v.fingerprint]));
  const clusters = groups.clusters();
  for (const id of store.contentsWithCopies('video')) if (!groups.has(id)) clusters.push([id]);
  return buildGroups(store, clusters, {
    media: 'video',
    likeness: (keeper, other) => {
      const known = likeness.get(`${keeper}:${other}`);
      if (known !== undefined) return known;
      const a = byId.get(keeper);
      const b = byId.get(other);
      return a && b ? (bestAlignment(a, b)?.likeness ?? 0) : 0;
    },
  });
}

function matchingVideos(prints: VideoFingerprint[], signal?: AbortSignal): [number, number, VideoMatch][] {
  const postings = new Map<string, number[]>(); // quarter-hash -> video * 2^20 + frame
  prints.forEach((print, v) =>
    print.frames.forEach((frame, f) => {
      if (frame.detail < FLAT_DETAIL) return;
      for (const key of quarters(frame.phash)) {
        const list = postings.get(key);
        if (list) list.push(v * 2 ** 20 + f);
        else postings.set(key, [v * 2 ** 20 + f]);
      }
    }),
  );
  const out: [number, number, VideoMatch][] = [];
  for (let v = 0; v < prints.length; v += 1) {
    if (signal?.aborted) throw new Error('stopped');
    const votes = new Map<string, number>();
    prints[v]!.frames.forEach((frame, f) => {
      if (frame.detail < FLAT_DETAIL) return;
      for (const key of quarters(frame.phash)) {
        for (const entry of postings.get(key) ?? []) {
          const other = Math.floor(entry / 2 ** 20);
          if (other <= v || !sameRate(prints[v]!, prints[other]!)) continue;
          const slot = `${other}:${(entry % 2 ** 20) - f}`;
          votes.set(slot, (votes.get(slot) ?? 0) + 1);
        }
      }
    });
    const best = new Map<number, VideoMatch>();
    for (const [slot, count] of votes) {
      if (count < MIN_VOTES) continue;
      const [other, shift] = slot.split(':').map(Number) as [number, number];
      const match = compareVideos(prints[v]!, prints[other]!, shift);
      if (!sameClip(prints[v]!, prints[other]!, match)) continue;
      const known = best.get(other);
      if (!known || match.meanBits < known.meanBits) best.set(other, match);
    }
    for (const [other, match] of best) out.push([v, other, match]);
  }
  return out;
}

/** The best alignment of two videos found by voting (for likeness within a group). */
function bestAlignment(a: VideoFingerprint, b: VideoFingerprint): VideoMatch | undefined {
  return matchingVideos([a, b])[0]?.[2];
}

function sameRate(a: VideoFingerprint, b: VideoFingerprint): boolean {
  return Math.abs(a.intervalS - b.intervalS) <= INTERVAL_TOLERANCE * Math.max(a.intervalS, b.intervalS);
}

function quarters(phash: string): string[] {
  return [0, 4, 8, 12].map((at) => `${at}${phash.slice(at, at + 4)}`);
}
