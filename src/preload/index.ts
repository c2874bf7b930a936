/**
 * Preload: the only bridge between the sandboxed page and the app. It will expose the typed API
 * contract (named functions only, never ipcRenderer itself) when the UI lands.
 */
import { contextBridge } from 'electron';

contextBridge.exposeInMainWorld('trove', { version: 1 });
