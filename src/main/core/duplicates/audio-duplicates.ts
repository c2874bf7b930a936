/**
 * Duplicate and near-duplicate recordings.
 *
 *  - Exact: files with the same content hash.
 *  - Near: recordings whose acoustic fingerprints (media/audio-fingerprint.ts) agree once aligned:
 *    the same sound re-encoded, louder or quieter, or with its start or end cut off.
 *
 * Comparing every pair at every alignment would be quadratic twice over, so candidates come from a
 * lookup first (as Shazam-style systems do): each half of each frame's 32-bit code is looked up among
 * all recordings' codes, and every exact hit votes for "recording B, shifted by this many frames".
 * A copy collects dozens of votes at its true shift; unrelated sound almost none. Only the few best
 * shifts of the best-voted pairs are then compared bit by bit.
 *
 * A pair is kept when the share of differing bits over the frames loud in both is far enough below
 * one half (chance) for how many frames were compared, (0.5 - errors) * sqrt(frames) >= 1 (on the
 * labelled clips the worst copy scores 1.2, the best-looking unrelated pair 0.7), and is low in
 * absolute terms too (MAX_BIT_ERRORS).
 *
 * Known weak spots, shared with every fingerprint of this family: a pure tone or a single sweeping
 * sine has energy in one band only, so its bits are mostly codec noise, and a low-bit-rate copy of
 * it may not be recognised; a copy cut just after its only loud moment keeps too little to compare.
 * Recordings of real sources (voices, instruments, rooms) are rich enough.
 */
import type { FingerprintRepo } from '../store/fingerprint-repo.js';
import {
  compareAt,
  fingerprintFromBlob,
  fingerprintRecording,
  fingerprintToBlob,
  FRAME_SECONDS,
  type AlignedComparison,
  type AudioFingerprint,
} from '../media/audio-fingerprint.js';
import { backfillFingerprints, buildGroups, type DuplicateGroup } from './duplicate-groups.js';
import { UnionFind } from './union-find.js';

/** Evidence a pair needs: how far below chance its bit errors are, scaled by sqrt(frames compared). */
export const MIN_EVIDENCE = 1;
/**
 * And, however long the overlap, at most this share of differing bits: two unrelated pieces in the
 * same style agree a little more often than chance over minutes, which the evidence alone would
 * eventually count as a match, and two synthetic sounds changing note on the same beat agreed on 73%
 * of their bits. Copies sit near 0.06 (95% below 0.17); the few 32 kb/s copies of steady tones above
 * this are lost.
 */
export const MAX_BIT_ERRORS = 0.25;
/** Fewer loud frames in common than this (~0.3 s) is never enough. */
export const MIN_FRAMES = 12;
/** Only the first minute of each recording is put in the lookup (copies overlap long before that). */
const LOOKUP_FRAMES = Math.round(60 / FRAME_SECONDS);
/** Votes a shift needs before it is compared bit by bit, and how many shifts per pair are tried. */
const MIN_VOTES = 3;
const SHIFTS_PER_PAIR = 2;
const MAX_PLACES_PER_RECORDING = 16;
/** Only (near-)silence is kept out of the vote (silence would match silence); the comparison afterwards is stricter. */
const VOTE_QUIET_DB = 60;

export interface AudioFindOptions {
  onProgress?: (done: number, total: number, phase: 'fingerprints' | 'comparing') => void;
  signal?: AbortSignal;
}

export interface AudioMatch extends AlignedComparison {
  /** 1 for identical sound, 0 for chance agreement. */
  likeness: number;
  evidence: number;
}

/** Whether two fingerprints are the same recording at this shift (see MIN_EVIDENCE). */
export function judgeAlignment(comparison: AlignedComparison): AudioMatch & { same: boolean } {
  const evidence = (0.5 - comparison.bitErrorRate) * Math.sqrt(comparison.frames);
  return {
    ...comparison,
    evidence,
    likeness: Math.max(0, 1 - 2 * comparison.bitErrorRate),
    same: comparison.frames >= MIN_FRAMES && evidence >= MIN_EVIDENCE && comparison.bitErrorRate <= MAX_BIT_ERRORS,
  };
}

export async function findAudioDuplicates(store: FingerprintRepo, options: AudioFindOptions = {}): Promise<DuplicateGroup[]> {
  await backfillFingerprints(
    store.missing('audio'),
    async (id, path) => store.setAudio(id, fingerprintToBlob(await fingerprintRecording(path, options.signal))),
    options,
  );
  const rows = store.blobs('audio');
  const prints = rows.map((r) => ({ id: r.id, fingerprint: fingerprintFromBlob(r.blob) }));
  const matches = matchingPairs(
    prints.map((p) => p.fingerprint),
    options,
  );
  const groups = new UnionFind();
  const likeness = new Map<string, number>();
  for (const m of matches) {
    const [a, b] = [prints[m.a]!.id, prints[m.b]!.id];
    groups.union(a, b);
    likeness.set(pairKey(a, b), m.likeness);
  }
  const byId = new Map(prints.map((p) => [p.id, p.fingerprint]));
  const clusters = groups.clusters();
  for (const id of store.contentsWithCopies('audio')) if (!groups.has(id)) clusters.push([id]);
  return buildGroups(store, clusters, {
    media: 'audio',
    likeness: (keeper, other) => {
      const known = likeness.get(pairKey(keeper, other));
      if (known !== undefined) return known;
      // Joined through a third recording: align the two directly.
      const a = byId.get(keeper);
      const b = byId.get(other);
      return a && b ? (bestMatch(a, b)?.likeness ?? 0) : 0;
    },
  });
}

/** The best alignment of two fingerprints found by voting, judged; undefined when nothing lines up. */
export function bestMatch(a: AudioFingerprint, b: AudioFingerprint): (AudioMatch & { same: boolean }) | undefined {
  const found = matchingPairs([a, b], {}, true);
  return found[0];
}

export interface PairMatch extends AudioMatch {
  a: number;
  b: number;
  same: boolean;
}

/**
 * Pairs of fingerprints (indexes into `prints`, a < b) that are the same recording. With
 * `keepAll`, the best alignment of every voted pair is returned, judged or not.
 */
export function matchingPairs(prints: AudioFingerprint[], options: AudioFindOptions, keepAll = false): PairMatch[] {
  const voters = prints.map(votingFrames);
  // Postings: for each 16-bit half-code (which half in the top bit), the (recording, frame) it occurs at.
  // A repetitive sound (a beeping alarm) repeats its codes: a few places per recording are plenty.
  const postings = new Map<number, number[]>();
  const recordingsWith = new Map<number, number>();
  voters.forEach((frames, r) => {
    const seenHere = new Map<number, number>();
    for (const i of frames) {
      for (const key of halfKeys(prints[r]!.codes[i]!)) {
        const times = seenHere.get(key) ?? 0;
        if (times === 0) recordingsWith.set(key, (recordingsWith.get(key) ?? 0) + 1);
        if (times >= MAX_PLACES_PER_RECORDING) continue;
        seenHere.set(key, times + 1);
        pushTo(postings, key, r * LOOKUP_FRAMES + i);
      }
    }
  });
  // A half-code found in a large share of all recordings (hum, hiss, silence-like codes) says
  // nothing about which recording this is.
  const tooCommon = Math.max(16, 0.05 * prints.length);

  const out: PairMatch[] = [];
  for (let r = 0; r < prints.length; r += 1) {
    if (options.signal?.aborted) throw new Error('stopped');
    if (r % 100 === 0) options.onProgress?.(r, prints.length, 'comparing');
    const votes = new Map<number, number>(); // other * 2^14 + (shift + 2^13) -> votes
    for (const i of voters[r]!) {
      for (const key of halfKeys(prints[r]!.codes[i]!)) {
        const list = postings.get(key);
        if (!list || recordingsWith.get(key)! > tooCommon) continue;
        for (const entry of list) {
          const other = Math.floor(entry / LOOKUP_FRAMES);
          if (other <= r) continue;
          const shift = (entry % LOOKUP_FRAMES) - i;
          const slot = other * 16_384 + shift + 8_192;
          votes.set(slot, (votes.get(slot) ?? 0) + 1);
        }
      }
    }
    const byOther = new Map<number, { shift: number; votes: number }[]>();
    for (const [slot, count] of votes) {
      if (count < MIN_VOTES) continue;
      const other = Math.floor(slot / 16_384);
      pushTo(byOther, other, { shift: (slot % 16_384) - 8_192, votes: count });
    }
    for (const [other, shifts] of byOther) {
      let best: (AudioMatch & { same: boolean }) | undefined;
      for (const { shift } of shifts.sort((x, y) => y.votes - x.votes).slice(0, SHIFTS_PER_PAIR)) {
        // Votes land on the nearest frame; the true alignment may be one frame either side.
        for (const nudge of [-1, 0, 1]) {
          const judged = judgeAlignment(compareAt(prints[r]!, prints[other]!, shift + nudge));
          if (!best || judged.evidence > best.evidence) best = judged;
        }
      }
      if (best && (best.same || keepAll)) out.push({ ...best, a: r, b: other });
    }
  }
  options.onProgress?.(prints.length, prints.length, 'comparing');
  return out;
}

/** Frames (within the lookup window) loud enough to vote. */
function votingFrames(print: AudioFingerprint): number[] {
  const end = Math.min(print.codes.length, LOOKUP_FRAMES);
  let loudest = 0;
  for (let i = 0; i < end; i += 1) loudest = Math.max(loudest, print.level[i]!);
  const floor = Math.max(1, loudest - VOTE_QUIET_DB);
  const frames: number[] = [];
  for (let i = 0; i < end; i += 1) if (print.level[i]! >= floor) frames.push(i);
  return frames;
}

function halfKeys(code: number): [number, number] {
  return [code & 0xffff, 0x10000 | (code >>> 16)];
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function pairKey(a: number, b: number): string {
  return a < b ? `${a}:${b}` : `${b}:${a}`;
}

/**
 * The complete recording first (not a copy with its start or end cut off; encoders pad a few tens of
 * milliseconds, which does not count), then the highest bit rate (lossless over lossy, 320 kb/s over
 * 32), then the oldest.
 */
