/**
 * Moving files to the system trash from any page, the same way: one request, a notice saying what
 * happened with an Undo, and the Recently trashed list (Duplicates page) as the lasting way back.
 */
import { api } from './api';
import { app, message } from './app-state.svelte';

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Moves the files; `after` runs once the move (or its undo) is done, to reload what is shown. */
export async function trashWithUndo(fileIds: number[], after: () => Promise<void> | void): Promise<void> {
  try {
    const result = await api.call('trashFiles', { fileIds });
    const undo = async () => {
      try {
        const restored = await api.call('restoreTrashed', { batch: result.batch });
        app.notify(
          restored.failed.length ? 'warning' : 'info',
          `Put back ${plural(restored.restored.length, 'file', 'files')}${restored.failed.length ? `; ${restored.failed.length} could not be: ${restored.failed[0]!.error}` : ''}`,
        );
        await after();
      } catch (e) {
        app.notify('error', message(e));
      }
    };
    app.notify(
      result.failed.length ? 'warning' : 'info',
      `Moved ${plural(result.trashed.length, 'file', 'files')} to the trash${result.failed.length ? `; ${result.failed.length} not moved: ${result.failed[0]!.error}` : ''}`,
      result.trashed.length > 0 ? { label: 'Undo', run: () => void undo() } : undefined,
    );
    await after();
  } catch (e) {
    app.notify('error', message(e));
  }
}
