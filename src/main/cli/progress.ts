/**
 * The indexing progress display: a cli-progress bar with count, rate, ETA and current file on a
 * terminal; on a pipe (logs, CI) a plain line every few seconds instead of escape codes.
 */
import cliProgress from 'cli-progress';
import { basename } from 'node:path';
import type { IndexProgress } from '../core/indexing/index-runner.js';
import { formatBytes, formatDuration, printable } from './format.js';
import type { DownloadProgress } from '../core/models/hub-download.js';

export interface ProgressView {
  update(p: IndexProgress): void;
  stop(): void;
}

export function createProgressView(stream: NodeJS.WriteStream = process.stderr): ProgressView {
  if (!stream.isTTY) {
    let last = 0;
    return {
      update(p) {
        const now = Date.now();
        if (p.phase !== 'done' && now - last < 5000) return;
        last = now;
        stream.write(
          `${p.step === 'words' ? 'reading words' : 'indexing'} ${p.done}/${p.total} (${p.ratePerSecond.toFixed(1)}/s, ETA ${formatDuration(p.etaSeconds)})\n`,
        );
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: '{phase} [{bar}] {value}/{total} | {rate}/s | ETA {etaText} | {file}',
      barsize: 28,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      const payload = {
        phase: p.phase === 'paused' ? 'paused  ' : p.step === 'words' ? 'words   ' : 'indexing',
        rate: p.ratePerSecond.toFixed(1),
        etaText: formatDuration(p.etaSeconds),
        file: p.currentFile ? printable(basename(p.currentFile)).slice(0, 40) : '',
      };
      if (!started) {
        bar.start(Math.max(p.total, 1), p.done, payload);
        started = true;
      }
      bar.setTotal(Math.max(p.total, 1));
      bar.update(p.done, payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** Model download progress: one bar per file, in bytes. */
export function createDownloadView(stream: NodeJS.WriteStream = process.stderr): { update(p: DownloadProgress): void; stop(): void } {
  let bar: cliProgress.SingleBar | undefined;
  let file = '';
  const finish = () => bar?.stop();
  return {
    update(p) {
      if (p.file !== file) {
        finish();
        file = p.file;
        if (!stream.isTTY) stream.write(`downloading ${p.file} (${p.fileIndex + 1}/${p.fileCount})\n`);
        bar = stream.isTTY
          ? new cliProgress.SingleBar(
              { stream, format: `${p.fileIndex + 1}/${p.fileCount} {file} [{bar}] {got}/{size}`, barsize: 24, hideCursor: true },
              cliProgress.Presets.shades_classic,
            )
          : undefined;
        bar?.start(p.size ?? 1, 0, { file: basename(p.file), got: formatBytes(0), size: p.size ? formatBytes(p.size) : '?' });
      }
      bar?.update(p.size ? p.received : 0, { got: formatBytes(p.received) });
    },
    stop: finish,
  };
}
