/**
 * Content identity: a new library knows a file's content by its BLAKE3 digest; a library an earlier
 * Trove made with SHA-256 keeps SHA-256, so its files moved or copied while Trove was closed are still
 * known by their record after the upgrade.
 */
import Database from 'better-sqlite3';
import { blake3 } from '@napi-rs/blake-hash';
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, renameSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/core/engine.js';
import { MIGRATIONS } from '../../src/main/core/store/migrations.js';
import { tempDir } from '../helpers/temp.js';
import { writeSyntheticPhotos } from '../helpers/images.js';
import { FIXTURE_MODELS, useModelDirs } from '../helpers/env.js';
import { storeOf } from '../helpers/library-store.js';

/** The schema an earlier Trove left (before migration 20), with `photo` indexed under SHA-256. */
function writeSha256Library(libraryDir: string, folder: string, photo: string): { fileId: number; contentId: number } {
  const db = new Database(join(libraryDir, 'library.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.exec(MIGRATIONS.slice(0, 19).join('\n'));
    db.pragma('user_version = 19');
    const now = Date.now();
    const folderId = Number(db.prepare('INSERT INTO folders (path, added_at) VALUES (?, ?)').run(folder, now).lastInsertRowid);
    const sha256 = createHash('sha256').update(readFileSync(photo)).digest('hex');
    const contentId = Number(
      db
        .prepare(
          `INSERT INTO contents (sha256, size, kind, format, width, height, orientation, live_id) VALUES (?, ?, 'image', 'jpeg', 300, 300, 1, '')`,
        )
        .run(sha256, statSync(photo).size).lastInsertRowid,
    );
    const { size, mtimeMs } = statSync(photo);
    const fileId = Number(
      db
        .prepare(
          `INSERT INTO files (folder_id, path, ext, size, mtime_ms, content_id, status, updated_at) VALUES (?, ?, 'jpg', ?, ?, ?, 'ready', ?)`,
        )
        .run(folderId, photo, size, Math.floor(mtimeMs), contentId, now).lastInsertRowid,
    );
    return { fileId, contentId };
  } finally {
    db.close();
  }
}

describe('content identity', () => {
  beforeEach(() => useModelDirs(FIXTURE_MODELS));

  it('a new library knows contents by BLAKE3: two copies are one content', async () => {
    const photos = tempDir();
    const [photo] = (await writeSyntheticPhotos(photos, 1)) as [string];
    const copy = join(photos, `copy of ${basename(photo)}`);
    copyFileSync(photo, copy);
    const engine = Engine.open({ libraryDir: tempDir(), offline: true, modelCacheDir: tempDir() });
    try {
      engine.folders.add(photos);
      expect(await engine.indexer.index()).toMatchObject({ embedded: 1, failed: 0 });
      const store = storeOf(engine);
      expect(store.contents.hashAlgorithm()).toBe('blake3');
      const contentId = store.files.byPath(photo)!.content_id!;
      expect(store.files.byPath(copy)!.content_id).toBe(contentId);
      expect(store.contents.byId(contentId)!.hash).toBe(blake3(readFileSync(photo)).toString('hex'));
      expect(store.contents.count()).toBe(1);
    } finally {
      await engine.close();
    }
  });

  it('a library made with SHA-256 keeps it: a file moved and copied while Trove was closed keeps its record', async () => {
    const photos = tempDir();
    const library = tempDir();
    const [photo] = (await writeSyntheticPhotos(photos, 1)) as [string];
    const before = writeSha256Library(library, photos, photo);
    const moved = join(photos, 'renamed.jpg');
    const copy = join(photos, 'copy.jpg');
    renameSync(photo, moved);
    copyFileSync(moved, copy);

    const engine = Engine.open({ libraryDir: library, offline: true, modelCacheDir: tempDir() });
    try {
      const summary = await engine.indexer.index();
      expect(summary).toMatchObject({ moved: 1, failed: 0 });
      const store = storeOf(engine);
      expect(store.contents.hashAlgorithm()).toBe('sha256');
      // Either of the two files with its bytes takes the missing file's record (which is the move
      // and which the copy, the bytes cannot say); both are the same content.
      const rows = [moved, copy].map((path) => store.files.byPath(path)!);
      expect(rows.map((row) => row.id)).toContain(before.fileId);
      expect(rows.map((row) => [row.content_id, row.status])).toEqual([
        [before.contentId, 'ready'],
        [before.contentId, 'ready'],
      ]);
      expect(store.files.byPath(photo)).toBeUndefined();
      expect(store.contents.count()).toBe(1);
    } finally {
      await engine.close();
    }
  });
});
