/**
 * Two Trove processes on one library make each other useful instead of stuck: `trove add` while
 * `trove serve` runs is followed by the server; `trove index` while it runs is handed to it and
 * answered; `serve` started while another Trove indexes waits and takes over when it ends; `trove
 * index` while another indexer runs waits for it. Nothing is ever embedded twice (one vector per
 * photo at the end). Real processes, real library.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURE_MODELS, REPO_ROOT } from '../helpers/env.js';
import { tempDir } from '../helpers/temp.js';
import { writeSyntheticPhotos } from '../helpers/images.js';
import { cliArgs, runCli } from '../helpers/cli.js';
import { startServe, type ServeProcess } from '../helpers/serve.js';
import { waitFor } from '../helpers/wait.js';

interface AppStatus {
  totals: { ready: number; pending: number };
  indexing: { phase: string; message?: string };
}

async function apiStatus(server: ServeProcess): Promise<AppStatus> {
  const url = new URL(server.url);
  const token = url.hash.replace('#token=', '');
  const response = await fetch(`${url.origin}/api/status`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: '{}',
  });
  return (await response.json()) as AppStatus;
}

async function pollStatus(server: ServeProcess, ok: (s: AppStatus) => boolean, what: string): Promise<AppStatus> {
  let last: AppStatus | undefined;
  const started = Date.now();
  while (Date.now() - started < 60_000) {
    last = await apiStatus(server);
    if (ok(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}; last status: ${JSON.stringify(last)}`);
}

describe('Trove processes that meet on one library', () => {
  const servers: ServeProcess[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.stop();
  });

  const setup = async () => {
    const lib = tempDir();
    const env = { TROVE_MODELS_DIR: FIXTURE_MODELS, TROVE_MODEL_CACHE: tempDir(), TROVE_OFFLINE: '1' };
    const cli = (...args: string[]) => runCli(['--library', lib, ...args], { env });
    const vectorsAndContents = async () => {
      const status = JSON.parse((await cli('status', '--json')).stdout) as { contents: number; models: { vectors: number }[] };
      return { vectors: status.models.reduce((n, m) => n + m.vectors, 0), contents: status.contents };
    };
    return { lib, env, cli, vectorsAndContents };
  };

  it('serve follows `trove add` from another process and answers a handed-over `trove index`', async () => {
    const { lib, env, cli, vectorsAndContents } = await setup();
    const a = tempDir();
    const b = tempDir();
    await writeSyntheticPhotos(a, 4, 1);
    await writeSyntheticPhotos(b, 3, 50);

    const server = await startServe(lib, env);
    servers.push(server);
    expect((await cli('add', a)).code).toBe(0);
    await pollStatus(server, (s) => s.totals.ready === 4 && s.indexing.phase === 'watching', 'the first folder to be indexed by serve');
    expect((await cli('add', b)).code).toBe(0);
    await pollStatus(server, (s) => s.totals.ready === 7, 'the folder added by another process to be indexed');

    await writeSyntheticPhotos(join(a, 'later'), 2, 80);
    const index = await cli('index');
    expect(index.code, index.stderr).toBe(0);
    expect(index.stderr).toMatch(/trove serve \(pid \d+\) is watching this library: handing this run to it/);
    expect(index.stderr).toMatch(/done by trove serve \(pid \d+\): 9 indexed, 0 waiting/);
    expect(await vectorsAndContents()).toEqual({ vectors: 9, contents: 9 });
  });

  it('serve waits while another Trove indexes, then takes over; index waits for another indexer', async () => {
    const { lib, env, cli, vectorsAndContents } = await setup();
    const photos = tempDir();
    await writeSyntheticPhotos(photos, 5, 1);
    expect((await cli('add', photos)).code).toBe(0);

    // A real indexer that holds the library: `trove watch`.
    const watch = spawn(process.execPath, cliArgs(['--library', lib, 'watch']), { cwd: REPO_ROOT, env: { ...process.env, ...env } });
    let watchLog = '';
    watch.stderr.on('data', (d: Buffer) => (watchLog += d));
    await waitFor(() => /watching 1 folder/.test(watchLog), 'trove watch to be watching', 60_000);

    const server = await startServe(lib, env);
    servers.push(server);
    const waiting = await pollStatus(server, (s) => s.indexing.phase === 'waiting', 'serve to wait for trove watch');
    expect(waiting.indexing.message).toMatch(/trove watch, pid \d+/);

    const exited = new Promise((resolve) => watch.once('exit', resolve));
    watch.kill('SIGINT');
    await exited;
    await pollStatus(server, (s) => s.indexing.phase === 'watching' && s.totals.ready === 5, 'serve to take over');
    await server.stop();
    servers.length = 0;

    // `trove index` while a non-watching indexer holds the lock: it waits, then does the work.
    const holder = spawn(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'test', 'helpers', 'lock-racer.ts'), join(lib, 'indexer-lock.db'), join(lib, 'm'), 'hold'],
      {
        cwd: REPO_ROOT,
      },
    );
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    await writeSyntheticPhotos(join(photos, 'more'), 2, 90);
    const index = spawn(process.execPath, cliArgs(['--library', lib, 'index']), { cwd: REPO_ROOT, env: { ...process.env, ...env } });
    let indexLog = '';
    index.stderr.on('data', (d: Buffer) => (indexLog += d));
    const code = new Promise<number | null>((resolve) => index.once('exit', resolve));
    await waitFor(() => /is indexing this library: waiting for it to finish, then taking over/.test(indexLog), 'index to wait', 30_000);
    expect(indexLog).toMatch(/racer \d+ \(pid \d+\)/);
    holder.kill('SIGKILL');
    expect(await code, indexLog).toBe(0);
    expect(indexLog).toMatch(/2 embedded/);
    expect(await vectorsAndContents()).toEqual({ vectors: 7, contents: 7 });
  });
});
