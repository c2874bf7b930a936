/** Runs the real `trove` CLI (from source, through tsx) as a child process. */
import { spawn, type SpawnOptions } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './env.js';

export const CLI_SOURCE = join(REPO_ROOT, 'src', 'main', 'cli', 'main.ts');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function cliArgs(args: string[]): string[] {
  return ['--import', 'tsx', CLI_SOURCE, ...args];
}

/**
 * Capabilities that let root read and list anything whatever its permission bits. A child started
 * without them, as root, meets chmod 000 files and folders as any user would, while it can still
 * enter the folders root owns, wherever the checkout lies (a `mktemp -d` folder is closed to others,
 * so a child running as `nobody` could not even load the code).
 */
const DAC_CAPABILITIES = '-dac_override,-dac_read_search';

export interface RunCliOptions extends SpawnOptions {
  env?: NodeJS.ProcessEnv;
  /** Run where file permissions bind: as root, without the capabilities that override them. */
  unprivileged?: boolean;
}

/** The command and arguments that run `node args…`, made unprivileged when asked and when root. */
export function nodeCommand(args: string[], unprivileged = false): [string, string[]] {
  if (!unprivileged || process.getuid?.() !== 0) return [process.execPath, args];
  return ['setpriv', [`--bounding-set=${DAC_CAPABILITIES}`, `--inh-caps=${DAC_CAPABILITIES}`, '--', process.execPath, ...args]];
}

export function runCli(args: string[], options: RunCliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const { unprivileged, ...spawnOptions } = options;
    const [command, commandArgs] = nodeCommand(cliArgs(args), unprivileged);
    const child = spawn(command, commandArgs, { cwd: REPO_ROOT, ...spawnOptions, env: { ...process.env, ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
