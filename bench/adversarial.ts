/**
 * Peak memory of the indexer on each bad input alone: every input of the adversarial corpus test
 * (test/integration/adversarial-corpus.test.ts) in a library of its own, indexed by the real CLI in a
 * child process whose peak resident memory is recorded (getrusage, every thread included), with the
 * status the input ends with. `npm run bench -- --only adversarial`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { writePngHeaderOnly } from '../test/helpers/bad-files.js';
import { writeSyntheticPhoto } from '../test/helpers/images.js';

export interface AdversarialResult {
  input: string;
  peakMiB: number;
  outcome: string;
}

type Make = (dir: string) => Promise<void> | void;

const INPUTS: [string, Make][] = [
  [
    '100000x1 PNG',
    (d) =>
      sharp({ create: { width: 100_000, height: 1, channels: 3, background: '#c83' } })
        .png()
        .toFile(join(d, 'a.png'))
        .then(() => undefined),
  ],
  [
    '1x100000 PNG',
    (d) =>
      sharp({ create: { width: 1, height: 100_000, channels: 3, background: '#c83' } })
        .png()
        .toFile(join(d, 'a.png'))
        .then(() => undefined),
  ],
  [
    '65000x4 PNG',
    (d) =>
      sharp({ create: { width: 65_000, height: 4, channels: 3, background: '#c83' } })
        .png()
        .toFile(join(d, 'a.png'))
        .then(() => undefined),
  ],
  [
    '30000x2000 panorama',
    (d) =>
      sharp({ create: { width: 30_000, height: 2000, channels: 3, background: '#38c' } })
        .jpeg()
        .toFile(join(d, 'a.jpg'))
        .then(() => undefined),
  ],
  ['30000x30000 PNG header', (d) => writePngHeaderOnly(join(d, 'a.png'), 30_000, 30_000)],
  ['0-byte JPEG', (d) => writeFileSync(join(d, 'a.jpg'), '')],
  ['text named .jpg', (d) => writeFileSync(join(d, 'a.jpg'), 'not a photo\n')],
  [
    'JPEG named .mp4',
    async (d) => {
      await writeSyntheticPhoto(join(d, 'p.jpg'), 1);
      writeFileSync(join(d, 'a.mp4'), readFileSync(join(d, 'p.jpg')));
      rmSync(join(d, 'p.jpg'));
    },
  ],
  ['FIFO named .jpg', (d) => void execFileSync('mkfifo', [join(d, 'a.jpg')])],
  ['link to /dev/zero', (d) => symlinkSync('/dev/zero', join(d, 'a.jpg'))],
  ['dangling link', (d) => symlinkSync(join(d, 'gone.jpg'), join(d, 'a.jpg'))],
  [
    'non-UTF-8 name',
    async (d) => {
      await writeSyntheticPhoto(join(d, 'p.jpg'), 2);
      writeFileSync(Buffer.concat([Buffer.from(`${d}/bad-`), Buffer.from([0xff]), Buffer.from('.jpg')]), readFileSync(join(d, 'p.jpg')));
      rmSync(join(d, 'p.jpg'));
    },
  ],
  ['escape-laden name', (d) => writeSyntheticPhoto(join(d, '\u001b]0;pwned\u0007.jpg'), 3)],
];

export async function measureAdversarial(root: string, log: (m: string) => void): Promise<AdversarialResult[]> {
  const results: AdversarialResult[] = [];
  const cli = join(root, 'src', 'main', 'cli', 'main.ts');
  const reporter = join(root, 'test', 'helpers', 'report-peak-memory.mjs');
  for (const [input, make] of INPUTS) {
    const scratch = mkdtempSync(join(tmpdir(), 'trove-bench-bad-'));
    try {
      const folder = join(scratch, 'photos');
      mkdirSync(folder);
      await make(folder);
      const env = {
        ...process.env,
        TROVE_MODELS_DIR: join(root, 'test', 'fixtures', 'models'),
        TROVE_MODEL_CACHE: join(scratch, 'models'),
        TROVE_OFFLINE: '1',
        TROVE_TEST_PEAK_FILE: join(scratch, 'peak'),
      };
      const run = (args: string[]) =>
        spawnSync(process.execPath, ['--import', 'tsx', '--import', reporter, cli, '--library', join(scratch, 'library'), ...args], {
          env,
          encoding: 'utf8',
          timeout: 120_000,
        });
      run(['add', folder]);
      const indexed = run(['index']);
      const peakMiB = Number(readFileSync(join(scratch, 'peak'), 'utf8')) / 1024 ** 2;
      const status = JSON.parse(run(['status', '--json']).stdout) as { files: Record<string, number>; errors: { error: string }[] };
      const outcome =
        indexed.status !== 0 ? `exit ${indexed.status}` : status.files.ready ? 'indexed' : (status.errors[0]?.error ?? 'no status');
      results.push({ input, peakMiB, outcome });
      log(`  ${input.padEnd(24)} peak ${peakMiB.toFixed(0).padStart(4)} MiB  ${outcome.slice(0, 90)}`);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  return results;
}
