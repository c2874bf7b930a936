/**
 * A video's look over time: the perceptual hash (visual-fingerprint.ts) of one frame every
 * `intervalS` seconds, with how much detail the frame has (flat frames — black, fades, a blank wall
 * — prove nothing). Two encodings of the same clip, at any size or codec, give nearly the same
 * sequence; the duplicate finder aligns sequences rather than judging a video by one frame.
 */
export interface VideoFrameHash {
  /** 64-bit perceptual hash, hex. */
  phash: string;
  /** Standard deviation of the frame's grey grid (0-255 levels). */
  detail: number;
}

export interface VideoFingerprint {
  intervalS: number;
  frames: VideoFrameHash[];
}

/** Serialised as [interval float32][per frame: 8 hash bytes + 1 detail byte], for a database column. */
export function videoFingerprintToBlob(fp: VideoFingerprint): Buffer {
  const out = Buffer.alloc(4 + fp.frames.length * 9);
  out.writeFloatLE(fp.intervalS, 0);
  fp.frames.forEach((f, i) => {
    Buffer.from(f.phash, 'hex').copy(out, 4 + i * 9);
    out[4 + i * 9 + 8] = Math.max(0, Math.min(255, Math.round(f.detail)));
  });
  return out;
}

export function videoFingerprintFromBlob(blob: Buffer): VideoFingerprint {
  const count = Math.floor((blob.length - 4) / 9);
  const frames: VideoFrameHash[] = [];
  for (let i = 0; i < count; i += 1) {
    const at = 4 + i * 9;
    frames.push({ phash: blob.subarray(at, at + 8).toString('hex'), detail: blob[at + 8]! });
  }
  return { intervalS: blob.readFloatLE(0), frames };
}
