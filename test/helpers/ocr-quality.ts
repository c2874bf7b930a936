/**
 * Reading text in pictures (issue 11 groundwork): on ../shared/media/text-photos, how often the
 * labelled words are found in what OCR read from their picture (exactly, and ignoring spaces, which
 * the recogniser often drops inside a box), whether the negative words are found anywhere, and the
 * time per picture and peak memory.
 */
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSyntheticPhoto } from './images.js';
import { TextReader } from '../../src/main/core/media/ocr/ocr.js';

export interface OcrResult {
  pictures: number;
  queries: number;
  foundExact: number;
  foundIgnoringSpaces: number;
  negativesFound: number;
  msPerPicture: { scene: number; receipt: number };
  /** A 12-megapixel photo with no text (sensor-like noise): the quick look ends it. */
  msPer12MpPhotoWithoutText: number;
  peakRssMiB: number;
  missed: string[];
}

/** Lower case, punctuation gone, spaces kept single. */
export function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
}

export async function measureOcr(folder: string, log: (m: string) => void): Promise<OcrResult> {
  const rows = readFileSync(join(folder, 'labels.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
  const pictures = [...new Set(rows.map((r) => r[0]!).filter(Boolean))];
  const reader = await TextReader.open(2);
  const texts = new Map<string, string>();
  const times = { scene: [] as number[], receipt: [] as number[] };
  let peak = process.memoryUsage().rss;
  for (const path of pictures) {
    const started = performance.now();
    const result = await reader.read(join(folder, path));
    (path.startsWith('receipts/') ? times.receipt : times.scene).push(performance.now() - started);
    texts.set(path, normalise(result.lines.map((l) => l.text).join(' ')));
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  const noText = join(tmpdir(), `trove-ocr-12mp-${process.pid}.jpg`);
  await writeSyntheticPhoto(noText, 42, 4000, 3000, 'jpeg', 6);
  await reader.read(noText);
  const started = performance.now();
  for (let i = 0; i < 5; i += 1) await reader.read(noText);
  const msPer12MpPhotoWithoutText = (performance.now() - started) / 5;
  rmSync(noText, { force: true });
  await reader.close();
  let foundExact = 0;
  let foundIgnoringSpaces = 0;
  let negativesFound = 0;
  const missed: string[] = [];
  for (const [path, query] of rows) {
    const q = normalise(query!);
    if (!path) {
      if ([...texts.values()].some((t) => t.includes(q) || t.replace(/ /g, '').includes(q.replace(/ /g, '')))) negativesFound += 1;
      continue;
    }
    const text = texts.get(path)!;
    if (text.includes(q)) foundExact += 1;
    if (text.replace(/ /g, '').includes(q.replace(/ /g, ''))) foundIgnoringSpaces += 1;
    else missed.push(`${path}: ${query}`);
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const result: OcrResult = {
    pictures: pictures.length,
    queries: rows.filter((r) => r[0]).length,
    foundExact,
    foundIgnoringSpaces,
    negativesFound,
    msPerPicture: { scene: mean(times.scene), receipt: mean(times.receipt) },
    msPer12MpPhotoWithoutText,
    peakRssMiB: peak / 2 ** 20,
    missed,
  };
  log(
    `  ${result.queries} queries on ${result.pictures} pictures: found ${foundExact} exactly (${((100 * foundExact) / result.queries).toFixed(1)}%), ` +
      `${foundIgnoringSpaces} ignoring spaces (${((100 * foundIgnoringSpaces) / result.queries).toFixed(1)}%); negatives found: ${negativesFound}`,
  );
  log(
    `  ${result.msPerPicture.scene.toFixed(0)} ms per scene photo, ${result.msPerPicture.receipt.toFixed(0)} ms per receipt, ` +
      `${msPer12MpPhotoWithoutText.toFixed(0)} ms per 12-megapixel photo without text; peak RSS ${result.peakRssMiB.toFixed(0)} MiB`,
  );
  return result;
}
