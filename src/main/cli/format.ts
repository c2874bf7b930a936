/** Plain-text rendering of CLI results: what a person reads when --json is not given. */
import type { DuplicateGroup } from '../core/duplicates/duplicate-finder.js';
import type { LibraryStatus } from '../core/status/library-status.js';
import type { SearchResponse } from '../core/search/searcher.js';

/**
 * A name or message from the disk as safe terminal text: control characters (escape sequences that
 * could move the cursor, retitle or rewrite the terminal), C1 controls and bidirectional overrides are
 * shown as \u{…} escapes. JSON output is left as it is (JSON escapes control characters itself).
 */
export function printable(text: string): string {
  return text.replace(
    /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`,
  );
}

export function formatResults(response: SearchResponse): string {
  if (response.results.length === 0) return 'No results.';
  const lines = response.results.map((hit, i) => {
    const moment = hit.offsetS !== undefined ? ` @ ${hit.offsetS.toFixed(1)}s` : '';
    // A similarity for what was found by meaning or tags; otherwise how it was found.
    const found = hit.via === 'text' ? 'words' : hit.via === 'place' ? 'place' : hit.via === 'browse' ? 'dated' : hit.score.toFixed(3);
    return `${String(i + 1).padStart(3)}. ${found}  ${printable(hit.path)}${moment}`;
  });
  return lines.join('\n');
}

export function formatStatus(s: LibraryStatus): string {
  const out: string[] = [`Library: ${printable(s.libraryDir)}`];
  if (s.folders.length === 0) out.push('No folders yet: add one with `trove add PATH`.');
  for (const f of s.folders) {
    out.push(
      `  ${printable(f.path)}: ${f.ready} indexed, ${f.pending} waiting, ${f.errors} with errors${f.missing ? `, ${f.missing} missing` : ''}`,
    );
  }
  for (const m of s.models)
    out.push(`Model ${m.name}: ${m.vectors} vectors (${m.dim}-d)${m.pendingJobs ? `, ${m.pendingJobs} files waiting` : ''}`);
  if (s.pendingIngest) out.push(`${s.pendingIngest} files waiting to be read: run \`trove index\``);
  if (s.errors.length) {
    out.push(`Files with errors (${s.files.error}):`);
    for (const e of s.errors.slice(0, 20)) out.push(`  ${printable(e.path)}: ${printable(e.error)}`);
    if (s.files.error > 20) out.push(`  … and ${s.files.error - 20} more (\`trove status --json\` lists them all)`);
  }
  if (s.scanIssues.length) {
    out.push('Folder problems:');
    for (const i of s.scanIssues) out.push(`  ${printable(i.path)}: ${printable(i.error)}`);
  }
  out.push(
    `Settings: model ${s.settings.imageModel}, offline ${s.settings.offline ? 'on' : 'off'}${s.settings.excludePatterns.length ? `, excluding ${printable(s.settings.excludePatterns.join(' '))}` : ''}`,
  );
  return out.join('\n');
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

/** How long something took: tenths of a second under ten seconds ("in 0s" says nothing), else as formatDuration. */
export function formatElapsed(seconds: number): string {
  return seconds < 9.95 ? `${seconds.toFixed(1)}s` : formatDuration(seconds);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

/** Duplicate groups, the suggested keeper first in each. */
export function formatDuplicates(groups: DuplicateGroup[]): string {
  if (groups.length === 0) return 'No duplicate photos, recordings or videos found.';
  const lines: string[] = [];
  for (const [i, group] of groups.entries()) {
    const what = { photo: 'photos', audio: 'recordings', video: 'videos' }[group.media];
    const alike = group.media === 'audio' ? 'sound alike' : 'look alike';
    const label = group.kind === 'exact' ? 'identical files' : `${alike} (similarity ${group.similarity.toFixed(2)})`;
    lines.push(`Group ${i + 1}: ${group.members.length} ${what}, ${label}`);
    const ordered = [...group.members].sort((a, b) => Number(b.fileId === group.keeper) - Number(a.fileId === group.keeper));
    for (const m of ordered) {
      const size = m.width && m.height ? `${m.width}x${m.height}, ` : '';
      lines.push(`  ${m.fileId === group.keeper ? 'keep' : '    '}  ${printable(m.path)}  (${size}${formatBytes(m.bytes)})`);
    }
  }
  const extra = groups.reduce((n, g) => n + g.members.length - 1, 0);
  lines.push(`\n${groups.length} groups; ${extra} files could go (nothing has been deleted).`);
  return lines.join('\n');
}
