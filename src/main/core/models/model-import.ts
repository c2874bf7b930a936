/**
 * `trove models import DIR`: copies model folders (for offline machines) into the model cache.
 * DIR is either one model folder or a folder holding one sub-folder per model, named after it.
 * Each model is checked to be complete and copied to a staging folder first, so an import that
 * fails half-way leaves the cache as it was.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { cp, mkdir, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { isComplete, specForDir } from './model-locator.js';
import { builtinModels, isHubModel } from './registry.js';

export interface ImportReport {
  imported: { name: string; from: string }[];
  skipped: { from: string; reason: string }[];
}

export async function importModels(source: string, cacheDir: string): Promise<ImportReport> {
  if (!existsSync(source) || !statSync(source).isDirectory()) throw new Error(`${source} is not a folder`);
  const report: ImportReport = { imported: [], skipped: [] };
  const candidates = modelFolders(source);
  if (candidates.length === 0) {
    report.skipped.push({
      from: source,
      reason: 'no model folder found (expected a folder named after a model, or one with a trove-model.json)',
    });
  }
  for (const { name, dir } of candidates) {
    let spec;
    try {
      spec = specForDir(name, dir);
    } catch (error) {
      report.skipped.push({ from: dir, reason: (error as Error).message });
      continue;
    }
    if (!spec) {
      report.skipped.push({ from: dir, reason: `unknown model "${name}" and no trove-model.json manifest` });
      continue;
    }
    if (!isComplete(spec, dir)) {
      const needed = isHubModel(spec) ? spec.files.join(', ') : spec.manifest.file;
      report.skipped.push({ from: dir, reason: `incomplete: ${spec.name} needs ${needed}` });
      continue;
    }
    await mkdir(cacheDir, { recursive: true });
    const staging = join(cacheDir, `.import-${spec.name}-${process.pid}`);
    await rm(staging, { recursive: true, force: true });
    try {
      await cp(dir, staging, { recursive: true, dereference: true });
      await rm(join(cacheDir, spec.name), { recursive: true, force: true });
      await rename(staging, join(cacheDir, spec.name));
      report.imported.push({ name: spec.name, from: dir });
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      report.skipped.push({ from: dir, reason: `copy failed: ${(error as Error).message}` });
    }
  }
  return report;
}

function modelFolders(source: string): { name: string; dir: string }[] {
  const known = new Map<string, string>();
  for (const spec of builtinModels()) {
    known.set(spec.name, spec.name);
    if (isHubModel(spec)) {
      known.set(spec.hubRepo, spec.name);
      known.set(spec.hubRepo.split('/').pop()!, spec.name);
    }
  }
  const own = basename(source);
  if (existsSync(join(source, 'trove-model.json')) || known.has(own)) return [{ name: known.get(own) ?? own, dir: source }];
  const out: { name: string; dir: string }[] = [];
  for (const entry of readdirSync(source, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const dir = join(source, entry.name);
    if (existsSync(join(dir, 'trove-model.json')) || known.has(entry.name)) {
      out.push({ name: known.get(entry.name) ?? entry.name, dir });
      continue;
    }
    // Hub-style nesting: <source>/<org>/<repo>, e.g. Xenova/clip-vit-base-patch32.
    for (const inner of readdirSync(dir, { withFileTypes: true })) {
      const repo = `${entry.name}/${inner.name}`;
      if (inner.isDirectory() && known.has(repo)) out.push({ name: known.get(repo)!, dir: join(dir, inner.name) });
    }
  }
  return out;
}
