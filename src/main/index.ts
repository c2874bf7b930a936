/**
 * Electron main process: windows, security, and the wiring between the window and the engine.
 * The engine runs in a utility process (src/main/app/service-host.ts); this thread only routes:
 * IPC calls from the preload go to the engine, its events go back to the window, and local media is
 * served through the `trove-media:` protocol, which asks the engine whether a file id belongs to the
 * library. The UI itself comes from the `app://trove/` scheme (only the built renderer's files), not
 * file://. Context isolation and the sandbox are on, new windows and navigation are denied, and every
 * permission the app does not use is refused. Fuses for the packaged binary: scripts/electron-fuses.ts.
 */
import { app, BrowserWindow, dialog, ipcMain, net, protocol, session, shell, type IpcMainInvokeEvent } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ServiceProcess } from './app/service-process.js';
import { APP_ENTRY, APP_SCHEME, resolveAppAsset } from './app/app-protocol.js';
import { allowPermission } from './app/permissions.js';

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  { scheme: 'trove-media', privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
]);

const RENDERER_DIR = join(import.meta.dirname, '../renderer');

let window: BrowserWindow | undefined;
// The engine's host is compiled with the engine (npm run build:cli), so it finds its worker and
// resources beside it: out/main/index.js -> dist/main/app/service-host.js.
const service = new ServiceProcess(
  join(import.meta.dirname, '..', '..', 'dist', 'main', 'app', 'service-host.js'),
  (event) => window?.webContents.send('trove:event', event),
  (path) => shell.showItemInFolder(path),
);

function fromOurWindow(event: IpcMainInvokeEvent): boolean {
  return Boolean(window) && event.sender === window!.webContents;
}

function createWindow(): void {
  window = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Trove',
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  window.once('ready-to-show', () => window?.show());
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  window.on('closed', () => (window = undefined));
  if (process.env.ELECTRON_RENDERER_URL) void window.loadURL(process.env.ELECTRON_RENDERER_URL);
  else void window.loadURL(APP_ENTRY);
}

void app.whenReady().then(() => {
  session.defaultSession.setPermissionRequestHandler((webContents, permission, callback, details) =>
    callback(allowPermission(permission, details.requestingUrl ?? webContents.getURL())),
  );
  session.defaultSession.setPermissionCheckHandler((_webContents, permission, requestingOrigin) =>
    allowPermission(permission, requestingOrigin),
  );
  protocol.handle(APP_SCHEME, (request) => {
    const file = resolveAppAsset(RENDERER_DIR, request.url);
    if (!file) return new Response('not found', { status: 404 });
    return net.fetch(pathToFileURL(file).toString());
  });
  service.start();
  // Answers are envelopes ({ value } or { error }): an exception thrown through ipcMain.handle would
  // reach the page wrapped in Electron's own wording instead of Trove's sentence.
  ipcMain.handle('trove:call', async (event, method: unknown, params: unknown) => {
    if (!fromOurWindow(event)) return { error: 'refused: not the Trove window' };
    if (typeof method !== 'string') return { error: 'invalid request' };
    try {
      if (method === 'pickFolder') {
        const result = await dialog.showOpenDialog(window!, { title: 'Add a folder to Trove', properties: ['openDirectory'] });
        return { value: { path: result.canceled ? null : (result.filePaths[0] ?? null) } };
      }
      const value = await service.request({ type: 'call', method, params });
      return { value: method === 'info' ? { ...(value as object), canPickFolders: true } : value };
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  });
  protocol.handle('trove-media', async (request) => {
    const url = new URL(request.url);
    const fileId = Number(url.pathname.replace(/^\//, ''));
    const variant = url.hostname;
    if (!['thumb', 'preview', 'original'].includes(variant) || !Number.isSafeInteger(fileId) || fileId <= 0) {
      return new Response('not found', { status: 404 });
    }
    try {
      const media = (await service.request({ type: 'media', variant: variant as 'thumb', fileId })) as { path: string } | null;
      if (!media) return new Response('not found', { status: 404 });
      return net.fetch(pathToFileURL(media.path).toString(), { headers: request.headers });
    } catch {
      return new Response('not found', { status: 404 });
    }
  });
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

app.on('before-quit', () => service.close());
