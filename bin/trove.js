#!/usr/bin/env node
// The `trove` command. The CLI is compiled to dist/ when the project is installed (npm's prepare).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/main/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('trove: the CLI is not built yet; run `npm run build:cli` (npm ci does it for you)\n');
  process.exit(1);
}
await import(entry.href);
