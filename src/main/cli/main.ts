#!/usr/bin/env node
/**
 * `trove`: the command-line interface over the same engine the app uses.
 * Results go to stdout (plain text, or one JSON object with --json); progress and errors go to
 * stderr, errors with a non-zero exit code and a sentence a person understands.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Engine, type EngineOptions } from '../core/engine.js';
import type { SettingsPatch } from '../core/library/library-settings.js';
import { defaultLibraryDir, defaultModelCacheDir } from '../core/paths.js';
import { downloadHubModel } from '../core/models/hub-download.js';
import { downloadableModel, modelCatalog } from '../core/models/model-catalog.js';
import { importModels } from '../core/models/model-import.js';
import type { SearchOptions } from '../core/search/searcher.js';
import { picturesWaitingNotice, recordingsWaitingNotice } from '../core/indexing/index-passes.js';
import { LibraryService } from '../core/service/library-service.js';
import { startServer, type RunningServer } from './server/http-server.js';
import { createDownloadView, createProgressView } from './progress.js';
import { formatDuplicates, formatElapsed, formatResults, formatStatus, printable } from './format.js';

const packageJson = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

interface GlobalOptions {
  library: string;
  offline?: boolean;
  threads?: number;
}

const program = new Command()
  .name('trove')
  .description('Search your own photos by meaning, entirely on your own machine.')
  .version(packageJson.version)
  .option('--library <dir>', 'library folder (database, indexes, thumbnails)', defaultLibraryDir())
  .option('--offline', 'forbid every network access (also: TROVE_OFFLINE=1)')
  .option('--threads <n>', 'inference threads (default: all cores, or all but one from 4 cores up)', positiveInt)
  .showHelpAfterError('(run `trove --help` for usage)');

/** What this process is ("trove serve"), so another process that finds the library busy can say so. */
let purpose = 'trove';
program.hook('preAction', (_program, action) => {
  purpose = `trove ${action.name()}`;
});

function engineOptions(): EngineOptions {
  const g = program.opts<GlobalOptions>();
  let lastFile = '';
  return {
    libraryDir: g.library,
    offline: g.offline,
    threads: g.threads,
    purpose,
    onDownloadProgress: (p) => {
      if (p.file !== lastFile) {
        lastFile = p.file;
        process.stderr.write(`downloading ${p.model}: ${p.file} (${p.fileIndex + 1}/${p.fileCount})\n`);
      }
    },
  };
}

function openEngine(): Engine {
  return Engine.open(engineOptions());
}

async function withEngine<T>(fn: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = openEngine();
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}

/** First Ctrl-C: finish the batch in flight, save, exit. Second: quit at once. */
function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  process.on('SIGINT', () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\nstopping after the current batch (Ctrl-C again to quit at once)…\n');
    controller.abort();
  });
  process.on('SIGTERM', () => controller.abort());
  return controller.signal;
}

program
  .command('add')
  .argument('<path>', 'folder to add to the library')
  .description('add a folder to the library (then run `trove index`)')
  .action((path: string) =>
    withEngine(async (engine) => {
      const folder = engine.folders.add(path);
      console.log(`added ${printable(folder.path)}`);
    }),
  );

program
  .command('remove')
  .argument('<path>', 'library folder to forget')
  .description('remove a folder from the library (your files are not touched)')
  .action((path: string) =>
    withEngine(async (engine) => {
      const { removedFiles } = engine.folders.remove(path);
      console.log(`removed ${printable(path)} (${removedFiles} files forgotten; nothing deleted from disk)`);
    }),
  );

program
  .command('index')
  .description('scan the library folders and index what is new or changed (Ctrl-C stops; the next run resumes)')
  .option('--model <name>', 'image model to index with (see `trove models list`)')
  .option('--audio-model <name>', 'audio model for recordings, e.g. efficientat-mn04-as (remembered)')
  .action((opts: { model?: string; audioModel?: string }) =>
    withEngine(async (engine) => {
      const signal = interruptSignal();
      const view = createProgressView();
      const outcome = await engine.indexer
        .indexOrHandOver({
          model: opts.model,
          audioModel: opts.audioModel,
          signal,
          // A run that names its models cannot be handed to a watcher that indexes with its own.
          handOver: !opts.model && !opts.audioModel,
          onProgress: (p) => view.update(p),
          onWaiting: (holder) => {
            const who = holder ? `${holder.purpose} (pid ${holder.pid})` : 'another Trove process';
            console.error(
              holder?.watching && !opts.model && !opts.audioModel
                ? `${who} is watching this library: handing this run to it, and waiting until it has read the folders and indexed what is new…`
                : `${who} is indexing this library: waiting for it to finish, then taking over (Ctrl-C to stop waiting)…`,
            );
          },
        })
        .catch((error: unknown) => {
          if (signal.aborted) return undefined;
          throw error;
        })
        .finally(() => view.stop());
      if (!outcome) return void console.error('stopped waiting; nothing was changed');
      if ('handedTo' in outcome) {
        const { ready, pending, error } = outcome.files;
        console.error(
          `done by ${outcome.handedTo.purpose} (pid ${outcome.handedTo.pid}): ${ready} indexed, ${pending} waiting, ${error} with errors`,
        );
        return;
      }
      const summary = outcome.summary;
      const moved = summary.moved ? `, ${summary.moved} moved` : '';
      const read = summary.textRead;
      const text = read ? `; read the words in ${read.read} ${read.read === 1 ? 'item' : 'items'} (${read.withText} with words)` : '';
      const verb = summary.stopped ? 'stopped' : 'done';
      console.error(
        `${verb}: ${summary.embedded} embedded, ${summary.failed} failed${moved}, ${summary.purged} removed, in ${formatElapsed(summary.seconds)} with ${summary.model}${text}`,
      );
      if (summary.audioSkipped) console.error(`warning: ${recordingsWaitingNotice(summary.audioSkipped)}`);
      if (summary.imagesSkipped) console.error(`warning: ${picturesWaitingNotice(summary.imagesSkipped)}`);
      if (summary.stopped) console.error('run `trove index` again to resume');
    }),
  );

program
  .command('watch')
  .description('index, then keep watching the library folders for changes (Ctrl-C to stop)')
  .option('--model <name>', 'image model to index with')
  .action((opts: { model?: string }) =>
    withEngine(async (engine) => {
      const signal = interruptSignal();
      const view = createProgressView();
      let warnedAudio = false;
      await engine.indexer.watch({
        model: opts.model,
        signal,
        onProgress: (p) => view.update(p),
        onBatch: (changes, s) => {
          if (s.audioSkipped && !warnedAudio) console.error(`warning: ${recordingsWaitingNotice(s.audioSkipped)}`);
          warnedAudio ||= Boolean(s.audioSkipped);
          if (changes.length)
            console.error(`${changes.length} changes: ${s.embedded} embedded, ${s.moved} moved, ${s.failed} failed, ${s.purged} removed`);
          else if (s.embedded || s.failed) console.error(`indexed: ${s.embedded} embedded, ${s.failed} failed`);
        },
        onDegraded: (reason) => console.error(`warning: ${reason}`),
        onError: (error) => console.error(`error: ${printable(error.message)}`),
        onWatching: () => console.error(`watching ${engine.folders.list().length} folder(s) for changes (Ctrl-C to stop)`),
      });
      view.stop();
    }),
  );

function searchOptions(cmd: Command): Command {
  return cmd
    .option('--json', 'print one JSON object')
    .option('--model <name>', 'model to search with (default: the one the library was indexed with)')
    .option('--limit <n>', 'number of results', positiveInt, 20)
    .option('--offset <n>', 'skip this many results', nonNegativeInt, 0)
    .option('--min-score <x>', 'drop results scoring below this', parseFloatStrict)
    .option('--folder <path>', 'only files in this folder')
    .option('--from <date>', 'taken on or after (YYYY-MM-DD)', (v) => parseDate(v))
    .option('--to <date>', 'taken on or before (YYYY-MM-DD)', (v) => parseDate(v, true))
    .addOption(new Option('--type <ext...>', 'only these file types (jpg png …)'));
}

interface SearchCliOptions extends SearchOptions {
  json?: boolean;
  model?: string;
  type?: string[];
}

function toSearchOptions(o: SearchCliOptions): SearchOptions & { model?: string } {
  return {
    limit: o.limit,
    offset: o.offset,
    minScore: o.minScore,
    folder: o.folder,
    from: o.from,
    to: o.to,
    types: o.type,
    model: o.model,
  };
}

searchOptions(program.command('search').argument('<text>', 'what to look for').description('search the library by text')).action(
  (text: string, opts: SearchCliOptions) =>
    withEngine(async (engine) => {
      const response = await engine.search.text(text, toSearchOptions(opts));
      // What could not be understood is said, not fatal (year:19 → "year: takes a year, …").
      if (!opts.json) for (const hint of response.query?.hints ?? []) console.error(`note: ${printable(hint)}`);
      console.log(opts.json ? JSON.stringify(response) : formatResults(response));
    }),
);

searchOptions(
  program
    .command('similar')
    .argument('<file>', 'an indexed file or any image')
    .option('--at <seconds>', 'for a video: search by its frame at this moment', parseFloatStrict)
    .description('find items similar to a file'),
).action((file: string, opts: SearchCliOptions & { at?: number }) =>
  withEngine(async (engine) => {
    const response = await engine.search.similar(file, { ...toSearchOptions(opts), atS: opts.at });
    console.log(opts.json ? JSON.stringify(response) : formatResults(response));
  }),
);

program
  .command('repair')
  .description('after damage to the library database: restore its newest backup, then read the folders again')
  .action(async () => {
    const report = await Engine.repair(engineOptions());
    for (const kept of report.keptAt) console.log(`kept the damaged file as ${printable(kept)}`);
    if (report.restored) {
      console.log(`restored the library from its backup of ${new Date(report.restored.takenAt).toLocaleString()}`);
    } else {
      console.log('no good backup was found: started an empty library (your folders are still listed nowhere; add them again)');
    }
    const { added, changed, missing } = report.scanned;
    console.log(`read the folders again: ${added} new, ${changed} changed, ${missing} missing since then; run \`trove index\` to catch up`);
  });

program
  .command('status')
  .description('folders, counts, models and per-file errors')
  .option('--json', 'print one JSON object')
  .action((opts: { json?: boolean }) =>
    withEngine(async (engine) => {
      // JSON lists every error; the text shows the first few and says how many more there are.
      const status = engine.status.read({ errorLimit: opts.json ? Infinity : 20 });
      console.log(opts.json ? JSON.stringify(status) : formatStatus(status));
    }),
  );

program
  .command('settings')
  .description('show or change library settings')
  .option('--model <name>', 'default image model')
  .addOption(new Option('--offline-mode <state>', 'forbid network access for this library').choices(['on', 'off']))
  .option('--exclude <pattern...>', 'glob patterns to skip (replaces the list; "" clears it)')
  .addOption(new Option('--hidden <state>', 'index hidden files and folders').choices(['on', 'off']))
  .addOption(new Option('--read-text <state>', 'read the words in pictures so they can be searched').choices(['on', 'off']))
  .option('--json', 'print one JSON object')
  .action((opts: { model?: string; offlineMode?: string; exclude?: string[]; hidden?: string; readText?: string; json?: boolean }) =>
    withEngine(async (engine) => {
      const patch: SettingsPatch = {};
      if (opts.model) patch.imageModel = opts.model;
      if (opts.offlineMode) patch.offline = opts.offlineMode === 'on';
      if (opts.exclude) patch.excludePatterns = opts.exclude;
      if (opts.hidden) patch.includeHidden = opts.hidden === 'on';
      if (opts.readText) patch.readText = opts.readText === 'on';
      const settings = Object.keys(patch).length ? engine.settings.update(patch) : engine.settings.get();
      console.log(
        opts.json
          ? JSON.stringify(settings)
          : Object.entries(settings)
              .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
              .join('\n'),
      );
    }),
  );

const models = program.command('models').description('list, download and import models');

models
  .command('list')
  .option('--json', 'print one JSON object')
  .description('known models and where they are installed')
  .action((opts: { json?: boolean }) => {
    const list = modelCatalog(defaultModelCacheDir(), { imageModel: '', audioModel: null }).map(
      ({ name, kind, installedAt, description }) => ({
        name,
        kind,
        installedAt,
        description,
      }),
    );
    if (opts.json) console.log(JSON.stringify({ models: list }));
    else
      for (const m of list)
        console.log(`${m.name}  [${m.kind}]  ${m.installedAt ? `installed: ${m.installedAt}` : 'not installed'}\n    ${m.description}`);
  });

models
  .command('download')
  .argument('<name>', 'model to download from the Hugging Face hub')
  .description('download a model into the model cache (with integrity checks)')
  .action(async (name: string) => {
    // Offline as the library says, too (the same rule as the app's).
    const spec = await withEngine(async (engine) => downloadableModel(name, engine.isOffline()));
    const view = createDownloadView();
    const dir = await downloadHubModel(spec, defaultModelCacheDir(), {
      signal: interruptSignal(),
      onProgress: (p) => view.update(p),
    }).finally(() => view.stop());
    console.error(`installed ${name} in ${dir}`);
  });

models
  .command('import')
  .argument('<dir>', 'a model folder, or a folder with one sub-folder per model')
  .description('copy models from a folder (for machines without internet)')
  .action(async (dir: string) => {
    const report = await importModels(dir, defaultModelCacheDir());
    for (const m of report.imported) console.log(`imported ${m.name} from ${m.from}`);
    for (const s of report.skipped) console.error(`skipped ${s.from}: ${s.reason}`);
    if (report.imported.length === 0) throw new Error('no model was imported');
  });

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number (0 or more)');
  return n;
}

function parseFloatStrict(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError('expected a number');
  return n;
}

function parseDate(value: string, endOfDay = false): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const t = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
  if (Number.isNaN(t)) throw new InvalidArgumentError('expected a date as YYYY-MM-DD');
  return endOfDay ? t + 86_399_999 : t;
}

program
  .command('duplicates')
  .description('identical and near-identical photos and recordings, grouped, each with a suggested keeper (nothing is deleted)')
  .option('--json', 'print one JSON object')
  .action((opts: { json?: boolean }) =>
    withEngine(async (engine) => {
      const groups = await engine.duplicates.find({
        onProgress: (done, total, phase) => {
          if (!opts.json && process.stderr.isTTY)
            process.stderr.write(`\r${phase === 'fingerprints' ? 'fingerprinting' : 'comparing'} ${done}/${total}`);
        },
      });
      if (!opts.json && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
      if (opts.json) {
        console.log(
          JSON.stringify({
            groups: groups.map((g) => ({
              kind: g.kind,
              media: g.media,
              similarity: g.similarity,
              keeper: g.members.find((m) => m.fileId === g.keeper)!.path,
              members: g.members.map(({ fileId: _id, ...m }) => ({ ...m, keep: _id === g.keeper })),
            })),
          }),
        );
      } else console.log(formatDuplicates(groups));
    }),
  );

program
  .command('serve')
  .description('run the app in your browser: a local server on 127.0.0.1 with a per-run token (Ctrl-C stops)')
  .option('--port <n>', 'port to listen on (default: any free port)', nonNegativeInt, 0)
  .action(async (opts: { port: number }) => {
    const g = program.opts<GlobalOptions>();
    const service = new LibraryService({
      libraryDir: g.library,
      offline: g.offline,
      threads: g.threads,
      purpose,
      version: packageJson.version,
    });
    const signal = interruptSignal();
    let server: RunningServer | undefined;
    try {
      server = await startServer({
        service,
        rendererDir: process.env.TROVE_RENDERER_DIR ?? fileURLToPath(new URL('../../../out/renderer', import.meta.url)),
        port: opts.port,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      service.start();
      console.log(`Trove is running at ${server.url}`);
      console.log("Open that address in your browser (it carries this run's access token). Ctrl-C stops.");
      await new Promise<void>((resolve) =>
        signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true }),
      );
    } finally {
      await server?.close();
      await service.close();
    }
  });

// Exit once stdout has been flushed: a piped `--json` answer must never be cut short.
const exitAfterFlush = (code: number) => process.stdout.write('', () => process.exit(code));
program.parseAsync(process.argv).then(
  () => exitAfterFlush(typeof process.exitCode === 'number' ? process.exitCode : 0),
  (error: unknown) => {
    process.stderr.write(`trove: ${printable(error instanceof Error ? error.message : String(error))}\n`);
    exitAfterFlush(1);
  },
);
