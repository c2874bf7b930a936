/**
 * One side of the lock race (test/integration/library-lock.test.ts), run as its own process:
 * takes and releases the library lock `rounds` times; while holding it, claims a marker file with
 * O_EXCL. If the other process holds the lock at the same moment, one of the two claims fails: that
 * is a violation. Prints one JSON line: how often it held the lock, and the violations seen.
 * With `hold`, takes the lock once, says "held" and waits to be killed.
 */
import { closeSync, openSync, rmSync } from 'node:fs';
import { LibraryLock } from '../../src/main/core/store/library-lock.js';

const [lockFile, marker, mode, roundsArg, startAtArg] = process.argv.slice(2) as [string, string, string, string?, string?];
const lock = new LibraryLock(lockFile, `racer ${process.pid}`);

if (mode === 'hold') {
  lock.acquire();
  process.stdout.write('held\n');
  setInterval(() => undefined, 1 << 30);
} else {
  const rounds = Number(roundsArg ?? 1000);
  // Both racers start together, so that their attempts really overlap.
  while (Date.now() < Number(startAtArg ?? 0));
  let held = 0;
  let violations = 0;
  for (let i = 0; i < rounds; i += 1) {
    if (!lock.tryAcquire()) continue;
    held += 1;
    try {
      closeSync(openSync(marker, 'wx'));
    } catch {
      violations += 1;
      lock.release();
      continue;
    }
    rmSync(marker);
    lock.release();
  }
  process.stdout.write(`${JSON.stringify({ held, violations })}\n`);
}
