/**
 * The API contract over HTTP, for `trove serve`: requests are `POST /api/<method>` with JSON, events
 * arrive as server-sent events read through fetch (EventSource cannot send a header).
 *
 * The access token arrives once, in the fragment of the address `trove serve` printed (#token=…,
 * never sent over the network), and is kept in this tab's sessionStorage, which belongs to this
 * origin alone (port included). It travels only as an Authorization header; media URLs carry a
 * per-item signature instead (media-signature.ts). No cookie is ever involved: cookies are shared by
 * every port of 127.0.0.1.
 */
import type { Method, Params, Results, TroveApi, TroveEvent } from '../../../shared/api';
import { mediaKeyOf, mediaSignature } from './media-signature';

const TOKEN_KEY = 'trove-token';
const RECONNECT_MS = 2000;
export const NO_TOKEN_MESSAGE = 'This page needs the access token of this run: open the address that `trove serve` printed.';

/** The token from the address's fragment (then removed from the address bar), or the one kept before. */
function takeToken(): string | undefined {
  const match = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(window.location.hash);
  if (match) {
    sessionStorage.setItem(TOKEN_KEY, match[1]!);
    history.replaceState(history.state, '', window.location.pathname + window.location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

/** Whether this tab holds an access token (after the address's fragment has been read). */
export function hasAccessToken(): boolean {
  return sessionStorage.getItem(TOKEN_KEY) !== null;
}

export function createHttpTransport(base = ''): TroveApi {
  const token = takeToken();
  const mediaKey = token ? mediaKeyOf(token) : undefined;
  const listeners = new Set<(event: TroveEvent) => void>();
  let streaming = false;
  const authHeaders = (): Record<string, string> => (token ? { Authorization: `Bearer ${token}` } : {});

  const dispatch = (block: string) => {
    const data = block
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).trimStart())
      .join('\n');
    if (!data) return;
    let event: TroveEvent;
    try {
      event = JSON.parse(data) as TroveEvent;
    } catch {
      return;
    }
    for (const listener of listeners) listener(event);
  };

  /** Tells the page when Trove stops answering, answers again, or was restarted (new token). */
  let connection: 'up' | 'lost' | 'restarted' = 'up';
  const setConnection = (next: 'up' | 'lost' | 'restarted') => {
    if (next === connection) return;
    connection = next;
    const event: TroveEvent = { type: 'connection', state: next === 'up' ? 'back' : next };
    for (const listener of listeners) listener(event);
  };

  /** Reads the event stream until it ends, then connects again (Trove restarting, say). */
  const stream = async () => {
    for (;;) {
      try {
        const response = await fetch(`${base}/api/events`, { headers: authHeaders(), cache: 'no-store' });
        // Answered, but this page's token is not this run's: Trove was started again.
        if (response.status === 401) setConnection('restarted');
        if (response.ok && response.body) {
          setConnection('up');
          const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
          let buffered = '';
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buffered += value;
            let end: number;
            while ((end = buffered.indexOf('\n\n')) >= 0) {
              dispatch(buffered.slice(0, end));
              buffered = buffered.slice(end + 2);
            }
          }
        }
      } catch {
        // Refused or dropped: Trove is not running (any more). Try again shortly.
      }
      if (connection === 'up') setConnection('lost');
      await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
    }
  };

  return {
    async call<M extends Method>(method: M, params: Params<M>): Promise<Results[M]> {
      if (!token) throw new Error(NO_TOKEN_MESSAGE);
      let response: Response;
      try {
        response = await fetch(`${base}/api/${method}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...authHeaders() },
          body: JSON.stringify(params),
          credentials: 'omit',
        });
      } catch {
        throw new Error('Trove is not running any more (the `trove serve` terminal was closed?)');
      }
      const body = (await response.json().catch(() => ({}))) as { error?: string };
      if (!response.ok) throw new Error(body.error ?? `request failed (${response.status})`);
      return body as Results[M];
    },
    subscribe(listener) {
      listeners.add(listener);
      if (!streaming && token) {
        streaming = true;
        void stream();
      }
      return () => listeners.delete(listener);
    },
    mediaUrl(variant, fileId) {
      const signature = mediaKey ? mediaSignature(mediaKey, variant, fileId) : '';
      return `${base}/media/${variant}/${fileId}?k=${signature}`;
    },
  };
}
