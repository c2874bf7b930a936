/** A gate the indexing loops pass between batches, so the UI can pause and resume indexing. */
export class Pauser {
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;

  get paused(): boolean {
    return this.gate !== undefined;
  }

  pause(): void {
    if (this.gate) return;
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  resume(): void {
    this.open?.();
    this.gate = undefined;
    this.open = undefined;
  }

  /** Resolves at once when running; when paused, on resume or when the signal aborts. */
  async wait(signal?: AbortSignal): Promise<void> {
    if (!this.gate) return;
    if (signal?.aborted) return;
    await new Promise<void>((resolve) => {
      const onAbort = () => resolve();
      signal?.addEventListener('abort', onAbort, { once: true });
      void this.gate!.then(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }
}
