// `npm start`: opens the desktop app when Electron's binary is installed; otherwise says how to use
// Trove without it (the command line works everywhere).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';

const require = createRequire(import.meta.url);
let electronBinary;
try {
  electronBinary = require('electron');
} catch {
  electronBinary = undefined;
}

if (typeof electronBinary === 'string' && existsSync(electronBinary)) {
  const result = spawnSync('npx', ['electron-vite', 'preview'], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
console.log('Electron is not installed on this machine (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1?).');
console.log('Trove works from the command line:\n');
spawnSync(process.execPath, ['bin/trove.js', '--help'], { stdio: 'inherit' });
