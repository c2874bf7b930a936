/**
 * The main process's handle on the engine's utility process: request/reply by id, events fanned
 * out to listeners, and a restart if the process dies (pending requests fail with a sentence).
 */
import { app, utilityProcess, type UtilityProcess } from 'electron';
import { FromServiceSchema, type ToService } from './service-protocol.js';

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

export class ServiceProcess {
  private child: UtilityProcess | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closing = false;

  constructor(
    private readonly entry: string,
    private readonly onEvent: (event: unknown) => void,
    private readonly onReveal: (path: string) => void,
  ) {}

  start(): void {
    const child = utilityProcess.fork(this.entry, [], {
      serviceName: 'Trove engine',
      stdio: 'inherit',
      env: { ...process.env, TROVE_VERSION: app.getVersion() },
    });
    child.on('message', (raw: unknown) => {
      const parsed = FromServiceSchema.safeParse(raw);
      if (!parsed.success) return;
      const message = parsed.data;
      if (message.type === 'event') this.onEvent(message.event);
      else if (message.type === 'reveal') this.onReveal(message.path);
      else if (message.type === 'reply') {
        const waiter = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (!waiter) return;
        if (message.ok) waiter.resolve(message.value);
        else waiter.reject(Object.assign(new Error(String(message.value ?? 'not found')), { status: message.status }));
      }
    });
    child.on('exit', (code) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`the Trove engine stopped (exit code ${code})`));
      this.pending.clear();
      this.child = undefined;
      if (!this.closing) setTimeout(() => this.start(), 1000);
    });
    this.child = child;
  }

  request(message: Omit<Extract<ToService, { type: 'call' }>, 'id'> | Omit<Extract<ToService, { type: 'media' }>, 'id'>): Promise<unknown> {
    const child = this.child;
    if (!child) return Promise.reject(new Error('the Trove engine is restarting; try again in a moment'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      child.postMessage({ ...message, id });
    });
  }

  close(): void {
    this.closing = true;
    this.child?.postMessage({ type: 'close' } satisfies ToService);
  }
}
