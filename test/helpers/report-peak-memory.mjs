// Preloaded into a child process by tests (node --import): on exit, writes the process's peak
// resident memory (getrusage's maxrss, in bytes, every thread included) to TROVE_TEST_PEAK_FILE.
import { writeFileSync } from 'node:fs';

const target = process.env.TROVE_TEST_PEAK_FILE;
if (target) {
  process.on('exit', () => writeFileSync(target, String(process.resourceUsage().maxRSS * 1024)));
}
