/**
 * The adversarial corpus: everything that once took Trove down, lost a record or reached what it
 * must not, in one library, indexed by the real CLI in a child process (as root, without the
 * capabilities that override file permissions) whose peak memory is read and bounded, and which must
 * end by itself. Every entry ends indexed or with its own status; the names are printed escaped; the
 * library folder inside the watched folder is never indexed; a photo swapped for a link to the
 * database is never served.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/core/engine.js';
import { LibraryService } from '../../src/main/core/service/library-service.js';
import { startServer } from '../../src/main/cli/server/http-server.js';
import { FIXTURE_MODELS, REPO_ROOT, useModelDirs } from '../helpers/env.js';
import { tempDir } from '../helpers/temp.js';
import { writeSyntheticPhoto } from '../helpers/images.js';
import { writePngHeaderOnly } from '../helpers/bad-files.js';
import { CLI_SOURCE, nodeCommand, runCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait.js';
import { storeOf } from '../helpers/library-store.js';

const PEAK_MEMORY_LIMIT = 1.5 * 1024 ** 3;
const RUN_TIMEOUT_MS = 180_000;
const PEAK_REPORTER = join(REPO_ROOT, 'test', 'helpers', 'report-peak-memory.mjs');

/** Runs the CLI with its peak memory recorded; kills it (and fails) if it does not end by itself. */
async function runMeasured(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string; peakBytes: number }> {
  const peakFile = join(tempDir(), 'peak');
  const [command, commandArgs] = nodeCommand(['--import', 'tsx', '--import', PEAK_REPORTER, CLI_SOURCE, ...args], true);
  const child = spawn(command, commandArgs, { cwd: REPO_ROOT, env: { ...process.env, ...env, TROVE_TEST_PEAK_FILE: peakFile } });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  child.stdout.resume();
  let hung = false;
  const timer = setTimeout(() => ((hung = true), child.kill('SIGKILL')), RUN_TIMEOUT_MS);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  expect(hung, `the run did not end within ${RUN_TIMEOUT_MS / 1000} s:\n${stderr}`).toBe(false);
  return { code, stderr, peakBytes: Number(readFileSync(peakFile, 'utf8')) };
}

interface Entry {
  /** The path as Trove shows it (undecodable bytes as \xNN). */
  shown: string;
  expect: 'ready' | 'error' | 'folder-issue';
  /** For errors: what the reason must say. */
  reason?: RegExp;
}

describe('adversarial corpus', () => {
  it('indexes or gives a status to every entry, in bounded memory, never hanging, never serving what it must not', async () => {
    useModelDirs(FIXTURE_MODELS);
    const photos = tempDir();
    const cache = tempDir();
    const entries: Entry[] = [];
    const add = (shown: string, expected: Entry['expect'], reason?: RegExp) => entries.push({ shown, expect: expected, reason });

    // Good photos, one with a name full of terminal escapes.
    await writeSyntheticPhoto(join(photos, 'good.jpg'), 1);
    add(join(photos, 'good.jpg'), 'ready');
    const escapeName = '\u001b]0;pwned\u0007\u001b[2Jtitle.jpg';
    await writeSyntheticPhoto(join(photos, escapeName), 2);
    add(join(photos, escapeName), 'ready');

    // Extreme shapes: each would ask for gigabytes if resized by its shortest side.
    for (const [w, h] of [
      [100_000, 1],
      [1, 100_000],
      [65_000, 4],
    ] as const) {
      const file = join(photos, `shape-${w}x${h}.png`);
      await sharp({ create: { width: w, height: h, channels: 3, background: { r: 200, g: 60, b: 20 } } })
        .png()
        .toFile(file);
      add(file, 'ready');
    }
    writePngHeaderOnly(join(photos, 'huge-header.png'), 30_000, 30_000);
    add(join(photos, 'huge-header.png'), 'error', /too large/);

    // Today's bad inputs.
    writeFileSync(join(photos, 'zero.jpg'), '');
    add(join(photos, 'zero.jpg'), 'error', /empty/);
    writeFileSync(join(photos, 'notes.jpg'), 'a text file, not a photo\n');
    add(join(photos, 'notes.jpg'), 'error', /not an image|corrupt/);
    const jpeg = readFileSync(join(photos, 'good.jpg'));
    writeFileSync(join(photos, 'truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 2)));
    add(join(photos, 'truncated.jpg'), 'error', /truncated|corrupt/);
    writeFileSync(join(photos, 'picture.mp4'), jpeg);
    add(join(photos, 'picture.mp4'), 'error', /still picture/);
    writeFileSync(join(photos, 'locked.jpg'), jpeg);
    chmodSync(join(photos, 'locked.jpg'), 0o000);
    add(join(photos, 'locked.jpg'), 'error', /permission denied/);

    // Special files and links to them: never opened.
    execFileSync('mkfifo', [join(photos, 'pipe.jpg')]);
    add(join(photos, 'pipe.jpg'), 'error', /named pipe/);
    if (existsSync('/usr/bin/python3')) {
      execFileSync('python3', ['-c', `import socket; socket.socket(socket.AF_UNIX).bind(${JSON.stringify(join(photos, 'socket.png'))})`]);
      add(join(photos, 'socket.png'), 'error', /socket/);
    }
    if (process.getuid?.() === 0) {
      execFileSync('mknod', [join(photos, 'device.jpg'), 'c', '1', '3']);
      add(join(photos, 'device.jpg'), 'error', /device/);
    }
    symlinkSync('/dev/zero', join(photos, 'zeros.jpg'));
    add(join(photos, 'zeros.jpg'), 'error', /link to a device/);
    symlinkSync('/dev/urandom', join(photos, 'random.mp3'));
    add(join(photos, 'random.mp3'), 'error', /link to a device/);
    symlinkSync(join(photos, 'gone.jpg'), join(photos, 'dangling.jpg'));
    add(join(photos, 'dangling.jpg'), 'error', /broken symbolic link/);

    // Names that are not valid UTF-8: a photo, and a folder holding one.
    writeFileSync(Buffer.concat([Buffer.from(`${photos}/bad-`), Buffer.from([0xff, 0xfe]), Buffer.from('.jpg')]), jpeg);
    add(join(photos, 'bad-\\xff\\xfe.jpg'), 'error', /not valid UTF-8/);
    const badFolder = Buffer.concat([Buffer.from(`${photos}/folder-`), Buffer.from([0xc3, 0x28])]);
    mkdirSync(badFolder);
    writeFileSync(Buffer.concat([badFolder, Buffer.from('/inside.jpg')]), jpeg);
    add(join(photos, 'folder-\\xc3('), 'folder-issue', /not valid UTF-8/);

    // The library itself inside the watched folder, not hidden.
    const lib = join(photos, 'trove-library');
    mkdirSync(lib);

    const env = { TROVE_MODELS_DIR: FIXTURE_MODELS, TROVE_MODEL_CACHE: cache, TROVE_OFFLINE: '1' };
    expect((await runCli(['--library', lib, 'add', photos], { env, unprivileged: true })).code).toBe(0);
    const run = await runMeasured(['--library', lib, 'index'], env);
    console.log(`adversarial corpus: ${entries.length} entries, indexer peak memory ${(run.peakBytes / 1024 ** 2).toFixed(0)} MiB`);
    expect(run.code, run.stderr).toBe(0);
    expect(run.peakBytes).toBeGreaterThan(0);
    expect(run.peakBytes).toBeLessThan(PEAK_MEMORY_LIMIT);

    // JSON lists every error, the text says how many there are.
    const json = JSON.parse((await runCli(['--library', lib, 'status', '--json'], { env, unprivileged: true })).stdout) as {
      errors: unknown[];
      files: { error: number };
    };
    expect(json.errors).toHaveLength(json.files.error);

    // Human output escapes control characters; JSON keeps the name as it is.
    const text = await runCli(['--library', lib, 'status'], { env, unprivileged: true });
    expect(text.stdout).not.toMatch(/\u001b|\u0007/);
    const search = await runCli(['--library', lib, 'search', 'a photo', '--limit', '50'], { env, unprivileged: true });
    expect(search.stdout).not.toMatch(/\u001b|\u0007/);
    expect(search.stdout).toContain('\\u{1b}]0;pwned\\u{7}');

    // Thumbnails are made in the library folder (inside the watched one): they must never be indexed.
    const engine = Engine.open({ libraryDir: lib, modelCacheDir: cache, offline: true });
    try {
      for (const e of entries.filter((x) => x.expect === 'ready')) await engine.media.thumbnail(storeOf(engine).files.byPath(e.shown)!.id);
      const status = engine.status.read({ errorLimit: Infinity });
      const scanIssues = new Map(status.scanIssues.map((i) => [i.path, i.error]));
      for (const entry of entries) {
        const row = storeOf(engine).files.byPath(entry.shown);
        if (entry.expect === 'folder-issue') {
          expect(scanIssues.get(entry.shown), entry.shown).toMatch(entry.reason!);
          continue;
        }
        expect(row?.status, entry.shown).toBe(entry.expect);
        if (entry.reason) expect(row?.error, entry.shown).toMatch(entry.reason);
      }
      expect(status.files.ready).toBe(entries.filter((e) => e.expect === 'ready').length);
    } finally {
      await engine.close();
    }
    const again = await runMeasured(['--library', lib, 'index'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/0 embedded/);

    // The swapped-link trick, against a running server: an indexed photo replaced by a link to the
    // database is not served, and the library is told to look at it again.
    const service = new LibraryService({ libraryDir: lib, modelCacheDir: cache, offline: true, version: 'test', missingGraceMs: 200 });
    const server = await startServer({ service, rendererDir: join(REPO_ROOT, 'out', 'renderer') });
    try {
      service.start();
      await waitFor(() => service.status().indexing.phase === 'watching', 'the service to watch', 60_000);
      const victim = storeOf(service.engine).files.byPath(join(photos, 'good.jpg'))!;
      rmSync(victim.path);
      symlinkSync(join(lib, 'library.db'), victim.path);
      const reply = await fetch(`http://127.0.0.1:${server.port}/media/original/${victim.id}`, {
        headers: { Authorization: `Bearer ${server.token}` },
      });
      expect(reply.status).toBe(404);
      const body = Buffer.from(await reply.arrayBuffer());
      expect(body.includes(Buffer.from('SQLite format'))).toBe(false);
      await waitFor(
        () => storeOf(service.engine).files.byId(victim.id)?.status !== 'ready',
        'the swapped file to be looked at again',
        30_000,
      );
    } finally {
      await server.close();
      await service.close();
    }
  });
});
