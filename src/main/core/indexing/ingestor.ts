/**
 * Ingest: read a queued file once, hash it (util/content-hash), and record its content and metadata.
 * A hash already known means no decoding and no embedding; a hash that matches a *missing* file
 * means the file was moved or renamed, and the old row takes the new path with all its data.
 * Whatever goes wrong with one file is stored on that file, and the queue moves on.
 */
import type { MediaKind } from '../util/media-types.js';
import type { LibraryStore } from '../store/library-store.js';
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { hashBytes, hashFile } from '../util/content-hash.js';
import { ReadBuffers, type ReadLease } from '../util/read-buffers.js';
import type { IngestJob } from '../store/job-repo.js';
import { probeImage } from '../media/image-decoder.js';
import { probeMedia } from '../media/ffmpeg.js';
import { fingerprintRecording, fingerprintToBlob } from '../media/audio-fingerprint.js';
import { extensionOf, isRawPath, mediaKindOf } from '../util/media-types.js';
import type { ContentMetadata } from '../store/content-repo.js';
import { readExif } from '../media/exif.js';
import { describeFileError, MediaError, refuseUnreadable } from '../util/file-errors.js';
import { fileIdentity } from '../util/file-identity.js';

/** Files up to this size are read into memory once for hashing and probing. */
const IN_MEMORY_BYTES = 32 * 1024 ** 2;

export type IngestOutcome = 'ready' | 'moved' | 'error' | 'vanished' | 'skipped';

export interface IngestResult {
  outcome: IngestOutcome;
  /** The row that now holds the file (after a move, the old row). */
  fileId?: number;
  path?: string;
  contentId?: number;
  kind?: MediaKind;
  error?: string;
}

const NO_PICTURE_METADATA = {
  width: null,
  height: null,
  orientation: null,
  takenAt: null,
  cameraMake: null,
  cameraModel: null,
  gpsLat: null,
  gpsLon: null,
};

export class Ingestor {
  private readonly buffers = new ReadBuffers();

  constructor(private readonly store: LibraryStore) {}

  /** Called when the queue is empty: memory kept for reading the next files is let go. */
  idle(): void {
    this.buffers.clear();
  }

  async ingest(job: IngestJob): Promise<IngestResult> {
    const row = this.store.files.byId(job.fileId);
    if (!row || row.status !== 'pending') {
      this.store.jobs.complete(job.id);
      return { outcome: 'skipped' };
    }
    let handle: FileHandle | undefined;
    let lease: ReadLease | undefined;
    try {
      // Opened without blocking and checked on the open file: a name that has become a FIFO or a
      // device since the scan cannot hang the read, and what is hashed is what was checked.
      handle = await open(row.path, constants.O_RDONLY | constants.O_NONBLOCK);
      const st = await handle.stat();
      refuseUnreadable(st, mediaKindOf(row.path) === 'image');
      // Small files are read once and reused; big ones are streamed, so memory stays bounded.
      lease = st.size <= IN_MEMORY_BYTES ? await this.buffers.read(handle, st.size, IN_MEMORY_BYTES) : undefined;
      const bytes = lease?.bytes;
      const algorithm = this.store.contents.hashAlgorithm();
      const hash = bytes ? hashBytes(algorithm, bytes) : await hashFile(algorithm, handle);
      await handle.close();
      handle = undefined;
      const kind = mediaKindOf(row.path) ?? 'image';
      const known = this.store.contents.idByHash(hash);
      // A RAW file is read by ExifTool from its path (its preview and tags lie anywhere in it).
      const picture = isRawPath(row.path) ? row.path : (bytes ?? row.path);
      const read = known !== undefined ? undefined : kind === 'image' ? await pictureMetadata(picture) : await mediaMetadata(row.path);
      lease?.release(); // nothing holds the bytes any more
      const seen = { size: st.size, mtimeMs: st.mtimeMs, identity: fileIdentity(st) };
      // The content, its file's record and the finished job in one transaction: one commit a file,
      // and never a content without the file it was read from.
      const stored = this.store.atomically(() => {
        let contentId = known;
        if (contentId === undefined) {
          const { audioFingerprint, ...meta } = read!;
          contentId = this.store.contents.insertOrGet(hash, st.size, meta);
          // A recording's fingerprint is read with it (duplicates work with no audio model at all).
          if (audioFingerprint) this.store.fingerprints.setAudio(contentId, audioFingerprint);
        }
        const kindStored = this.store.contents.kindOf(contentId);
        const previous = this.store.files.missingWithContent(contentId);
        if (previous && previous.id !== row.id) {
          // A move or rename: keep the old row (its id and all attached data), drop the new one.
          this.store.files.delete(row.id);
          this.store.files.relocate(previous.id, row.folder_id, row.path, row.ext, seen);
          return { contentId, kind: kindStored, movedFrom: previous.id };
        }
        this.store.files.setReady(row.id, contentId, seen);
        this.store.jobs.complete(job.id);
        return { contentId, kind: kindStored, movedFrom: undefined };
      });
      return {
        outcome: stored.movedFrom === undefined ? 'ready' : 'moved',
        fileId: stored.movedFrom ?? row.id,
        path: row.path,
        contentId: stored.contentId,
        kind: stored.kind,
      };
    } catch (error) {
      lease?.release();
      await handle?.close().catch(() => undefined);
      const described = describeFileError(error);
      this.store.atomically(() => {
        if (described.code === 'vanished') this.store.files.markMissing(row.id);
        else this.store.files.setError(row.id, described);
        this.store.jobs.complete(job.id);
      });
      return { outcome: described.code === 'vanished' ? 'vanished' : 'error', path: row.path, error: described.message };
    }
  }
}

/** What ingest reads of a file: its content's metadata, and a recording's fingerprint. */
type ReadMetadata = ContentMetadata & { audioFingerprint?: Buffer };

/** A picture's content metadata as ingest reads it: its header, then its EXIF (the bench times the same). */
export async function pictureMetadata(input: Buffer | string): Promise<ReadMetadata> {
  const probe = await probeImage(input);
  const exif = probe.metadata ?? (await readExif(probe.exif ?? input));
  return { kind: 'image', format: probe.format, width: probe.width, height: probe.height, orientation: probe.orientation, ...exif };
}

/**
 * Recordings and videos, by what the file holds rather than its name: a video file with only sound
 * is a recording, a recording's name on a video is a video.
 */
async function mediaMetadata(path: string): Promise<ReadMetadata> {
  const probe = await probeMedia(path);
  // ffprobe reads a still picture as a one-frame "video" (image2, jpeg_pipe, png_pipe, …).
  if (probe.video && /^image2$|_pipe$/.test(probe.format)) {
    throw new MediaError(
      `this is a still picture (${probe.video.codec.toUpperCase()}), not a video or recording: rename it with the picture's extension to index it`,
      'not-media',
    );
  }
  if (probe.video) {
    if (probe.durationS !== null && probe.durationS <= 0) throw new MediaError('the video is empty (0 seconds)', 'empty');
    if (probe.video.width <= 0 || probe.video.height <= 0) throw new MediaError('the video has no picture size (corrupt?)', 'corrupt');
    return {
      ...NO_PICTURE_METADATA,
      kind: 'video',
      format: containerName(probe.format, path),
      durationS: probe.durationS,
      width: probe.video.width,
      height: probe.video.height,
      hasAudio: probe.audio !== null,
      ...(probe.liveId ? { liveId: probe.liveId } : {}),
    };
  }
  if (!probe.audio) throw new MediaError('no picture or sound in this file (no video or audio track)', 'not-media');
  if (probe.durationS !== null && probe.durationS <= 0) throw new MediaError('the recording is empty (0 seconds)', 'empty');
  const fingerprint = fingerprintToBlob(await fingerprintRecording(path));
  return {
    kind: 'audio',
    format: containerName(probe.format, path),
    durationS: probe.durationS,
    audioFingerprint: fingerprint,
    ...NO_PICTURE_METADATA,
  };
}

/**
 * ffprobe names a container family ("mov,mp4,m4a,3gp,3g2,mj2"): the member the file's extension
 * names is what a person calls it, else the family's first name.
 */
function containerName(family: string, path: string): string {
  const names = family.split(',');
  const ext = extensionOf(path);
  return names.includes(ext) ? ext : names[0]!;
}
