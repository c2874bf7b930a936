/**
 * Preload: the only bridge between the sandboxed page and the app. It implements the API contract
 * (src/shared/api.ts) over IPC with three named functions; the page never sees ipcRenderer.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { Method, MediaVariant, Params, TroveApi, TroveEvent } from '../shared/api.js';

const api: TroveApi = {
  async call<M extends Method>(method: M, params: Params<M>) {
    const answer = (await ipcRenderer.invoke('trove:call', method, params)) as { value?: unknown; error?: string };
    if (answer.error !== undefined) throw new Error(answer.error);
    return answer.value as never;
  },
  subscribe(listener: (event: TroveEvent) => void) {
    const handler = (_: IpcRendererEvent, event: TroveEvent) => listener(event);
    ipcRenderer.on('trove:event', handler);
    return () => void ipcRenderer.removeListener('trove:event', handler);
  },
  mediaUrl: (variant: MediaVariant, fileId: number) => `trove-media://${variant}/${Number(fileId)}`,
};

contextBridge.exposeInMainWorld('trove', api);
