// `npm start`: opens the desktop app. Electron fetches its binary on first use; where it cannot (no
// access to its download host, or ELECTRON_SKIP_BINARY_DOWNLOAD=1), the same app runs in the
// browser instead: `trove serve` prints a local address (with this run's access token) to open.
import { spawnSync } from 'node:child_process';

function electronBinary() {
  // Requiring 'electron' downloads the binary when it is missing; do it in a child to keep the
  // download's own error output out of the way when it fails.
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return undefined;
  process.stdout.write('Checking for the Electron binary (downloaded once)…\n');
  const probe = spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], { encoding: 'utf8' });
  return probe.status === 0 && probe.stdout ? probe.stdout : undefined;
}

if (electronBinary()) {
  const result = spawnSync('npx', ['electron-vite', 'preview'], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
console.log('Electron is not available on this machine, so Trove opens in your browser instead.\n');
const serve = spawnSync(process.execPath, ['bin/trove.js', 'serve', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(serve.status ?? 1);
