/**
 * The API contract over HTTP, for `trove serve`: requests are `POST /api/<method>` with JSON, events
 * arrive over server-sent events. The access token travels in a same-site cookie that the server set
 * when the printed address was opened, so images and the event stream need nothing extra.
 */
import type { Method, Params, Results, TroveApi, TroveEvent } from '../../../shared/api';

export function createHttpTransport(base = ''): TroveApi {
  const listeners = new Set<(event: TroveEvent) => void>();
  let source: EventSource | undefined;

  const connect = () => {
    source = new EventSource(`${base}/api/events`);
    source.onmessage = (message) => {
      let event: TroveEvent;
      try {
        event = JSON.parse(message.data as string) as TroveEvent;
      } catch {
        return;
      }
      for (const listener of listeners) listener(event);
    };
    // EventSource reconnects by itself after a dropped connection.
  };

  return {
    async call<M extends Method>(method: M, params: Params<M>): Promise<Results[M]> {
      let response: Response;
      try {
        response = await fetch(`${base}/api/${method}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(params),
          credentials: 'same-origin',
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
      if (!source) connect();
      return () => listeners.delete(listener);
    },
    mediaUrl(variant, fileId) {
      return `${base}/media/${variant}/${fileId}`;
    },
  };
}
