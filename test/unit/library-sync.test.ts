/**
 * Folder reconciliation (library/library-sync.ts) on a real SQLite file: what a scan found is
 * brought into the database — new files queued, changed ones queued again, vanished ones marked
 * missing (not deleted), files under a folder that could not be listed kept as they were, files a
 * scan could not read given their reason and code, and a permission problem retried.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../../src/main/core/library/folder-scanner.js';
import { LibrarySync } from '../../src/main/core/library/library-sync.js';
import { LibraryStore } from '../../src/main/core/store/library-store.js';
import { tempDir } from '../helpers/temp.js';
import { bareMetadata } from '../helpers/store-fixtures.js';

const file = (path: string, size = 10, mtimeMs = 1000) => ({ path, ext: 'jpg', size, mtimeMs });
const scan = (parts: Partial<ScanResult>): ScanResult => ({ files: [], fileErrors: [], folderIssues: [], ...parts });

describe('folder reconciliation', () => {
  it('queues new and changed files, marks vanished ones missing, and keeps what an unlistable folder hides', () => {
    const store = LibraryStore.open(join(tempDir(), 'library.db'));
    const sync = new LibrarySync(store);
    const folder = store.folders.add('/lib');
    expect(sync.reconcile(folder, scan({ files: [file('/lib/a.jpg'), file('/lib/b.jpg'), file('/lib/sub/c.jpg')] }))).toMatchObject({
      added: 3,
    });
    expect(store.jobs.pending('ingest')).toBe(3);
    for (const job of store.jobs.claimIngest(10)) store.jobs.complete(job.id);
    // Pretend they were read.
    const content = store.contents.insertOrGet('x', 10, bareMetadata());
    for (const path of ['/lib/a.jpg', '/lib/b.jpg', '/lib/sub/c.jpg']) {
      store.files.setReady(store.files.byPath(path)!.id, content, { size: 10, mtimeMs: 1000, identity: path });
    }

    const counts = sync.reconcile(
      folder,
      scan({
        files: [file('/lib/a.jpg', 11)],
        folderIssues: [{ path: '/lib/sub', error: 'permission denied: Trove may not list this folder', kind: 'unlisted' }],
      }),
    );
    expect(counts).toMatchObject({ added: 0, changed: 1, missing: 1 });
    expect(store.files.byPath('/lib/a.jpg')!.status).toBe('pending');
    expect(store.files.byPath('/lib/b.jpg')!.status).toBe('missing');
    // Not listed this time is not gone.
    expect(store.files.byPath('/lib/sub/c.jpg')!.status).toBe('ready');
    expect(store.scanIssues.list()).toEqual([{ path: '/lib/sub', error: 'permission denied: Trove may not list this folder' }]);

    // Back unchanged: ready again, nothing to read.
    sync.reconcile(folder, scan({ files: [file('/lib/a.jpg', 11), file('/lib/b.jpg'), file('/lib/sub/c.jpg')] }));
    expect(store.files.byPath('/lib/b.jpg')!.status).toBe('ready');
    expect(store.scanIssues.list()).toEqual([]);
  });

  it('gives unreadable entries their reason and code, retries a permission problem, and is not fooled by a link loop', () => {
    const store = LibraryStore.open(join(tempDir(), 'library.db'));
    const sync = new LibrarySync(store);
    const folder = store.folders.add('/lib');
    sync.reconcile(
      folder,
      scan({
        fileErrors: [
          { path: '/lib/pipe.jpg', ext: 'jpg', error: 'not a regular file but a named pipe (FIFO)', code: 'special-file' },
          { path: '/lib/locked.jpg', ext: 'jpg', error: 'permission denied: Trove may not read this file', code: 'permission-denied' },
        ],
      }),
    );
    expect(store.files.byPath('/lib/pipe.jpg')).toMatchObject({ status: 'error', error_code: 'special-file' });
    expect(store.files.byPath('/lib/locked.jpg')).toMatchObject({ status: 'error', error_code: 'permission-denied' });
    // Both are listed again as files: the locked one is tried again, the pipe keeps its verdict.
    const counts = sync.reconcile(folder, scan({ files: [file('/lib/locked.jpg'), file('/lib/pipe.jpg', 0, 0)] }));
    expect(store.files.byPath('/lib/locked.jpg')!.status).toBe('pending');
    expect(counts.changed).toBeGreaterThanOrEqual(1);

    // A loop is not an unlisted folder: what was below it and is not seen any more is missing.
    store.files.insertPending(folder.id, '/lib/loop/x.jpg', 'jpg', 1, 1);
    sync.reconcile(folder, scan({ folderIssues: [{ path: '/lib/loop', error: 'skipped: symbolic link loop', kind: 'loop' }] }));
    expect(store.files.byPath('/lib/loop/x.jpg')!.status).toBe('missing');
  });
});
