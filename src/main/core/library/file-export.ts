/**
 * Copies of library files in a folder the person chose ("Copy to folder…"). Never overwrites: a
 * name already taken there gets " (2)", " (3)", … as file managers do. The originals are only read.
 */
import { constants, statSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { InvalidInputError } from '../errors.js';

export interface ExportReport {
  copied: { from: string; to: string }[];
  failed: { path: string; error: string }[];
}

/** Tries each free name in turn; a copy is never written over an existing file (COPYFILE_EXCL). */
async function copyBesideOthers(source: string, folder: string): Promise<string> {
  const ext = extname(source);
  const stem = basename(source, ext);
  for (let n = 1; n < 10_000; n += 1) {
    const target = join(folder, n === 1 ? `${stem}${ext}` : `${stem} (${n})${ext}`);
    try {
      await copyFile(source, target, constants.COPYFILE_EXCL);
      return target;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new Error(`${stem}${ext}: too many files of that name in the folder already`);
}

export async function exportFiles(
  sources: { path: string | undefined; label: string }[],
  folder: string,
  isOwnPath: (path: string) => boolean,
): Promise<ExportReport> {
  let st;
  try {
    st = statSync(folder);
  } catch {
    throw new InvalidInputError(`${folder} does not exist: choose an existing folder`);
  }
  if (!st.isDirectory()) throw new InvalidInputError(`${folder} is not a folder`);
  if (isOwnPath(folder)) throw new InvalidInputError(`${folder} is Trove's own folder: choose another`);
  const report: ExportReport = { copied: [], failed: [] };
  for (const source of sources) {
    if (!source.path) {
      report.failed.push({ path: source.label, error: 'not a file of the library (moved or changed since it was indexed?)' });
      continue;
    }
    try {
      report.copied.push({ from: source.path, to: await copyBesideOthers(source.path, folder) });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'EACCES' || code === 'EPERM' ? 'Trove may not write there' : code === 'ENOSPC' ? 'the disk is full' : (error as Error).message;
      report.failed.push({ path: source.path, error: why });
    }
  }
  return report;
}
