/**
 * One side of the lock race (test/integration/library-lock.test.ts), run as its own process:
 * says "ready", waits for the go file (`marker`.go: both racers start together, however slowly each
 * process started), then takes and releases the library lock until it has held it `rounds` times;
 * while holding it, claims a marker file with O_EXCL. If the other process holds the lock at the
 * same moment, one of the two claims fails: that is a violation. Prints one JSON line: how often it
 * held the lock, how often the other had it, and the violations seen.
 * With `hold`, takes the lock once, says "held" and waits to be killed.
 */
import { closeSync, existsSync, openSync, rmSync } from 'node:fs';
import { LibraryLock } from '../../src/main/core/store/library-lock.js';

const [lockFile, marker, mode, roundsArg] = process.argv.slice(2) as [string, string, string, string?];
const lock = new LibraryLock(lockFile, `racer ${process.pid}`);

if (mode === 'hold') {
  lock.acquire();
  process.stdout.write('held\n');
  setInterval(() => undefined, 1 << 30);
} else {
  const rounds = Number(roundsArg ?? 1000);
  process.stdout.write('ready\n');
  // Both racers start together, so that their attempts really overlap.
  while (!existsSync(`${marker}.go`));
  let held = 0;
  let refused = 0;
  let violations = 0;
  // A bound, so a broken lock that never lets go ends the test instead of hanging it.
  for (let attempt = 0; held < rounds && attempt < rounds * 1000; attempt += 1) {
    if (!lock.tryAcquire()) {
      refused += 1;
      continue;
    }
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
  process.stdout.write(`${JSON.stringify({ held, refused, violations })}\n`);
}
