/**
 * The library lock is exclusive between real processes and survives its holder's death: two
 * processes race for it thousands of times and are never both holders; a holder killed with -9
 * leaves nothing that blocks the next one.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LibraryLock, LibraryLockedError } from '../../src/main/core/store/library-lock.js';
import { REPO_ROOT } from '../helpers/env.js';
import { tempDir } from '../helpers/temp.js';

const RACER = join(REPO_ROOT, 'test', 'helpers', 'lock-racer.ts');

function racer(args: string[]): { done: Promise<string>; kill: () => void; firstLine: Promise<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', RACER, ...args], { cwd: REPO_ROOT });
  let out = '';
  let err = '';
  let onLine: (line: string) => void = () => undefined;
  const firstLine = new Promise<string>((resolve) => (onLine = resolve));
  child.stdout.on('data', (d: Buffer) => {
    out += d;
    if (out.includes('\n')) onLine(out.split('\n')[0]!);
  });
  child.stderr.on('data', (d: Buffer) => (err += d));
  const done = new Promise<string>((resolve, reject) =>
    child.on('close', (code, signal) => (code === 0 || signal ? resolve(out) : reject(new Error(`racer failed (${code}): ${err}`)))),
  );
  return { done, firstLine, kill: () => child.kill('SIGKILL') };
}

describe('library lock', () => {
  it('is never held by two processes at once over thousands of attempts', async () => {
    const dir = tempDir();
    const args = [join(dir, 'lock.db'), join(dir, 'holder.marker'), 'race', '2000'];
    const racers = [racer(args), racer(args)];
    // Both processes are up (however long that took) before either starts: their attempts overlap.
    expect(await Promise.all(racers.map((r) => r.firstLine))).toEqual(['ready', 'ready']);
    writeFileSync(join(dir, 'holder.marker.go'), '');
    const results = await Promise.all(racers.map((r) => r.done));
    const [a, b] = results.map(
      (out) => JSON.parse(out.trim().split('\n').at(-1)!) as { held: number; refused: number; violations: number },
    );
    console.log(
      `lock race: held ${a!.held} + ${b!.held} times, refused ${a!.refused} + ${b!.refused} times, violations ${a!.violations + b!.violations}`,
    );
    expect(a!.violations + b!.violations).toBe(0);
    // Each held it as often as it set out to, and they really competed: the lock was refused while the other held it.
    expect([a!.held, b!.held]).toEqual([2000, 2000]);
    expect(a!.refused + b!.refused).toBeGreaterThan(0);
  });

  it('excludes a second holder in the same process, and names the holder', () => {
    const file = join(tempDir(), 'lock.db');
    const first = new LibraryLock(file, 'trove index');
    const second = new LibraryLock(file, 'trove serve');
    first.acquire();
    first.acquire(); // nested: still one holder
    expect(second.tryAcquire()).toBe(false);
    expect(() => second.acquire()).toThrow(LibraryLockedError);
    expect(() => second.acquire()).toThrow(/trove index, pid \d+/);
    first.release();
    expect(second.tryAcquire()).toBe(false); // the outer hold is still on
    first.release();
    expect(second.tryAcquire()).toBe(true);
    second.release();
  });

  it('is taken over at once after its holder is killed with -9', async () => {
    const dir = tempDir();
    const file = join(dir, 'lock.db');
    const holder = racer([file, join(dir, 'm'), 'hold']);
    expect(await holder.firstLine).toBe('held');
    const lock = new LibraryLock(file);
    expect(lock.tryAcquire()).toBe(false);
    holder.kill();
    await holder.done;
    expect(lock.tryAcquire()).toBe(true);
    lock.release();
  });
});
