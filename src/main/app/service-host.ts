/**
 * Entry point of the Electron utility process that runs the engine (indexing, inference, SQLite),
 * so none of that heavy work ever blocks the main process or the window. It hosts the same
 * LibraryService as `trove serve`, and answers the main process over Electron's parentPort.
 *
 * It is compiled with the engine by tsc (dist/main/app/service-host.js), not bundled by
 * electron-vite: the engine finds its inference worker and resources beside its own files.
 */
import { LibraryService } from '../core/service/library-service.js';
import { answerFor } from '../core/errors.js';
import { defaultLibraryDir } from '../core/paths.js';
import { ToServiceSchema, type FromService } from './service-protocol.js';

/** The part of Electron's utility-process port used here (typed locally: no electron import). */
interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (envelope: { data: unknown }) => void): void;
}

const port = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (!port) {
  console.error('service-host runs inside the Trove desktop app (an Electron utility process); use `trove serve` instead');
  process.exit(2);
}
const post = (message: FromService) => port.postMessage(message);

const service = new LibraryService({
  libraryDir: process.env.TROVE_LIBRARY_DIR ?? defaultLibraryDir(),
  version: process.env.TROVE_VERSION ?? '0.0.0',
  purpose: 'the Trove app',
  revealFile: (path) => post({ type: 'reveal', path }),
  // The chooser itself is shown by the main process; this only advertises that it exists.
  pickFolder: async () => null,
});
service.subscribe((event) => post({ type: 'event', event }));
service.start();

port.on('message', (envelope) => {
  const parsed = ToServiceSchema.safeParse(envelope.data);
  if (!parsed.success) return;
  const message = parsed.data;
  if (message.type === 'close') {
    void service.close().then(() => process.exit(0));
    return;
  }
  if (message.type === 'media') {
    void service.media.resolve(message.variant, message.fileId).then(
      (media) => post({ type: 'reply', id: message.id, ok: Boolean(media), value: media ?? null }),
      () => post({ type: 'reply', id: message.id, ok: false, value: null }),
    );
    return;
  }
  service.handle(message.method, message.params).then(
    (value) => post({ type: 'reply', id: message.id, ok: true, value }),
    (error: unknown) => {
      const answer = answerFor(error);
      post({ type: 'reply', id: message.id, ok: false, value: answer.message, status: answer.status });
      if (answer.bug) console.error(error);
    },
  );
});
post({ type: 'ready' });
