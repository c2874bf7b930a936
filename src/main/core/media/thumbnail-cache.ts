/**
 * Thumbnails, made on first request and kept on disk, keyed by content hash and size: a moved or
 * renamed photo keeps its thumbnail, and an edited one gets a new one. Written to a temporary name
 * and renamed, so a half-written thumbnail is never served.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeThumbnail } from './image-decoder.js';

export class ThumbnailCache {
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(private readonly dir: string) {}

  pathFor(hash: string, edge: number): string {
    return join(this.dir, hash.slice(0, 2), `${hash}-${edge}.webp`);
  }

  /**
   * The cached thumbnail of `source` (whose content hash is `hash`), made now if needed. A source
   * that is not a picture (a video) is given as a function that produces one.
   */
  async get(source: string | (() => Promise<Buffer>), hash: string, edge = 320): Promise<string> {
    const target = this.pathFor(hash, edge);
    if (existsSync(target)) return target;
    const pending = this.inFlight.get(target);
    if (pending) return pending;
    const job = (async () => {
      mkdirSync(join(this.dir, hash.slice(0, 2)), { recursive: true });
      const tmp = `${target}.${process.pid}.tmp`;
      try {
        await writeThumbnail(typeof source === 'string' ? source : await source(), tmp, edge);
        renameSync(tmp, target);
        return target;
      } catch (error) {
        rmSync(tmp, { force: true });
        throw error;
      }
    })().finally(() => this.inFlight.delete(target));
    this.inFlight.set(target, job);
    return job;
  }
}
