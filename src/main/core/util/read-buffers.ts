/**
 * Whole files read into buffers that are used again. Ingest reads every photo whole (to hash it and
 * read its header and EXIF) and is done with the bytes a moment later. A new 2-12 MB Buffer a photo
 * made V8 collect its whole heap far more often (memory outside the heap counts towards its next
 * collection): 20 full collections while 120 phone photos were indexed, 10 with the buffers used
 * again. Spare buffers are kept up to a total, so memory stays bounded.
 */
import type { FileHandle } from 'node:fs/promises';

/** Buffers are sized in steps of this, so photos of similar sizes share them. */
const STEP = 2 ** 20;

export interface ReadLease {
  /** The file's bytes: valid until `release()`, then they belong to the next file read. */
  bytes: Buffer;
  release(): void;
}

export class ReadBuffers {
  private readonly spare: Buffer[] = [];
  private spareBytes = 0;

  constructor(
    /** At most this many bytes of spare buffers are kept. */
    private readonly keepBytes = 64 * 2 ** 20,
  ) {}

  /**
   * The whole of an open file whose size was `size` when it was checked (it is read to its end,
   * should it have grown since), or undefined if it is now larger than `limit` bytes.
   */
  async read(handle: FileHandle, size: number, limit: number): Promise<ReadLease | undefined> {
    let buffer = this.take(size + 1);
    let filled = 0;
    try {
      for (;;) {
        // Asking for one byte more than is expected: a shorter read is the end of the file.
        const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
        filled += bytesRead;
        if (filled < buffer.length || filled > limit) break;
        const larger = this.take(Math.min(buffer.length * 2, limit + 1));
        buffer.copy(larger, 0, 0, filled);
        this.give(buffer);
        buffer = larger;
      }
    } catch (error) {
      this.give(buffer);
      throw error;
    }
    if (filled > limit) {
      this.give(buffer);
      return undefined;
    }
    const taken = buffer;
    let released = false;
    return {
      bytes: taken.subarray(0, filled),
      release: () => {
        if (released) return;
        released = true;
        this.give(taken);
      },
    };
  }

  /** Lets the spare buffers go (the queue is empty: an idle library keeps no memory for reading). */
  clear(): void {
    this.spare.length = 0;
    this.spareBytes = 0;
  }

  /** The smallest spare buffer of at least `bytes`, or a new one. */
  private take(bytes: number): Buffer {
    let best = -1;
    this.spare.forEach((buffer, i) => {
      if (buffer.length >= bytes && (best < 0 || buffer.length < this.spare[best]!.length)) best = i;
    });
    if (best < 0) return Buffer.allocUnsafeSlow(Math.ceil(bytes / STEP) * STEP);
    const [buffer] = this.spare.splice(best, 1) as [Buffer];
    this.spareBytes -= buffer.length;
    return buffer;
  }

  private give(buffer: Buffer): void {
    if (this.spareBytes + buffer.length > this.keepBytes) return; // left to the garbage collector
    this.spare.push(buffer);
    this.spareBytes += buffer.length;
  }
}
