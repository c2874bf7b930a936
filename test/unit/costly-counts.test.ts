/**
 * Counts that read every file's row (util/costly-value) are not taken again and again while indexing
 * runs: kept for twenty times what they cost, so the engine's thread spends at most a twentieth of
 * its time on them; taken afresh when they are cheap, when asked for, and once the run is over.
 * Time here is a clock the test moves (each count "costs" what the test says), never the machine's.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CostlyValue } from '../../src/main/core/util/costly-value.js';
import { RunTally } from '../../src/main/core/indexing/run-tally.js';
import { LibraryStatusReader } from '../../src/main/core/status/library-status.js';
import { LibraryStore } from '../../src/main/core/store/library-store.js';
import { tempDir } from '../helpers/temp.js';

/** A clock the test moves; `cost` is added by each computation that reads it first. */
function testClock() {
  const clock = { now: 0, read: () => clock.now };
  return clock;
}

describe('costly counts', () => {
  it('keeps a value for twenty times its cost, at least its minimum, and counts afresh when asked', () => {
    const clock = testClock();
    let computed = 0;
    const value = new CostlyValue(
      () => {
        clock.now += 50; // a count that takes 50 ms
        return ++computed;
      },
      { share: 0.05, minKeepMs: 100, clock: clock.read },
    );
    expect(value.get()).toBe(1);
    clock.now += 900; // 0.9 s later: within 20 x 50 ms
    expect(value.get()).toBe(1);
    clock.now += 100; // a second after it was counted
    expect(value.get()).toBe(2);
    expect(value.get(true)).toBe(3);

    // A cheap value is kept only its minimum; a negligible one not at all.
    const cheap = new CostlyValue(() => ++computed, { share: 0.05, minKeepMs: 100, clock: clock.read });
    const first = cheap.get();
    clock.now += 99;
    expect(cheap.get()).toBe(first);
    clock.now += 1;
    expect(cheap.get()).toBe(first + 1);
    const negligible = new CostlyValue(
      () => {
        clock.now += 10;
        return ++computed;
      },
      { share: 0.05, negligibleMs: 20, clock: clock.read },
    );
    expect(negligible.get()).not.toBe(negligible.get());
  });

  it("counts a run's files no more than once a second, and a costly count less often", () => {
    const clock = testClock();
    let left = 1000;
    let counts = 0;
    const tally = new RunTally(
      () => {
        counts += 1;
        clock.now += 200; // 0.2 s: about 200,000 files
        return left;
      },
      { clock: clock.read },
    );
    expect(counts).toBe(1);
    left = 900;
    clock.now += 2000;
    expect(tally.read()).toEqual({ done: 0, total: 1000, remaining: 1000 }); // counted 2 s ago: kept for 4 s
    expect(counts).toBe(1);
    clock.now += 2000;
    expect(tally.read()).toEqual({ done: 100, total: 1000, remaining: 900 });
    expect(counts).toBe(2);
    left = 0;
    expect(tally.read(true)).toEqual({ done: 1000, total: 1000, remaining: 0 }); // the end is always counted
    expect(counts).toBe(3);
  });

  it("keeps the Library table's counts while indexing runs if counting them is costly, and counts them once it is over", () => {
    const store = LibraryStore.open(join(tempDir(), 'library.db'));
    const folder = store.folders.add('/lib');
    const files = ['/lib/a.jpg', '/lib/b.jpg', '/lib/c.jpg'].map((path) => store.files.insertPending(folder.id, path, '.jpg', 10, 1000));
    const clock = testClock();
    let indexing = true;
    // Each reading of the clock takes 30 ms: every count looks costly (about 20,000 files).
    const status = new LibraryStatusReader(
      store,
      '/library',
      () => indexing,
      () => (clock.now += 30),
    );
    expect(status.read().folders[0]).toMatchObject({ files: 3, pending: 3 });
    const unreadable = { message: 'permission denied', code: 'permission-denied' } as const;
    store.files.setError(files[0]!, unreadable);
    const kept = status.read(); // kept: counted a moment ago
    expect(kept.folders[0]).toMatchObject({ pending: 3, errors: 0 });
    expect(kept.files).toMatchObject({ pending: 3, error: 0 });
    clock.now += 1000;
    expect(status.read().folders[0]).toMatchObject({ pending: 2, errors: 1 }); // kept long enough: counted again
    store.files.setError(files[1]!, unreadable);
    indexing = false;
    const after = status.read(); // the run is over: always counted
    expect(after.folders[0]).toMatchObject({ pending: 1, errors: 2 });
    expect(after.files).toMatchObject({ pending: 1, error: 2 });
    store.close();
  });
});
