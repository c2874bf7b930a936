/**
 * The one door from the UI to the engine. In the desktop app the preload script provides the
 * contract over IPC (`window.trove`); in a browser it is spoken over HTTP to `trove serve`.
 * Components import `api` from here and never learn which one it is.
 */
import type { TroveApi } from '../../../shared/api';
import { createHttpTransport, hasAccessToken } from './http-transport';

declare global {
  interface Window {
    trove?: TroveApi;
  }
}

export const api: TroveApi = window.trove ?? createHttpTransport();

/** In a browser without this run's token (an old bookmark, a copied address without its #token). */
export const needsAccessToken = !window.trove && !hasAccessToken();
