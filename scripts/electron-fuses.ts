/**
 * Electron fuses for a packaged Trove: features of the Electron binary itself, switched off (or on)
 * at build time, so that no environment variable or command-line flag can turn the app into a plain
 * Node.js (RunAsNode), load code into it (NODE_OPTIONS, --inspect), or run an app other than the
 * packaged one (ASAR integrity, only from the ASAR); cookies are encrypted at rest.
 *
 *   npx tsx scripts/electron-fuses.ts path/to/packaged/Trove   # flips them, then prints the wire
 *
 * Run it on the packaged app's binary (after packaging, before signing): flipping the development
 * binary in node_modules would stop `electron-vite dev`, which needs RunAsNode and a loose app folder.
 */
import { FuseV1Options, FuseVersion, flipFuses, getCurrentFuseWire, type FuseConfig } from '@electron/fuses';
import { pathToFileURL } from 'node:url';

export const TROVE_FUSES: FuseConfig = {
  version: FuseVersion.V1,
  strictlyRequireAllFuses: true,
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
  [FuseV1Options.WasmTrapHandlers]: true,
};

export async function applyTroveFuses(electronBinary: string): Promise<void> {
  await flipFuses(electronBinary, TROVE_FUSES);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const binary = process.argv[2];
  if (!binary) {
    console.error('usage: tsx scripts/electron-fuses.ts PATH_TO_PACKAGED_ELECTRON_BINARY');
    process.exit(1);
  }
  await applyTroveFuses(binary);
  const wire = await getCurrentFuseWire(binary);
  for (const [key, state] of Object.entries(wire)) {
    if (key !== 'version') console.log(`${FuseV1Options[Number(key)] ?? key}: ${String.fromCharCode(Number(state))}`);
  }
}
