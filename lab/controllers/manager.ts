// Runs every controller, in order, whenever the store changes (coalesced), until nothing changes any more.
import type { Store } from '../store/store.js';
import type { Controller } from './types.js';

export class ControllerManager {
  private readonly controllers: Controller[] = [];
  private pending: NodeJS.Timeout | undefined;
  private unlisten: (() => void) | undefined;
  private stopped = false;
  readonly errors: { controller: string; error: unknown }[] = [];

  constructor(private readonly store: Store) {}

  add(...cs: Controller[]): this {
    this.controllers.push(...cs);
    return this;
  }

  start(): void {
    this.unlisten = this.store.listen(() => this.requestSync());
    this.requestSync();
  }

  requestSync = (): void => {
    if (this.stopped || this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.pass();
    }, 2);
  };

  /** One pass over all controllers. Exposed for tests that want to settle synchronously. */
  pass(): void {
    for (const c of this.controllers) {
      try {
        c.reconcile();
      } catch (error) {
        // a controller error must not stop the others; it is kept for inspection and retried next pass
        this.errors.push({ controller: c.name, error });
        if (this.errors.length > 100) this.errors.shift();
      }
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.pending) clearTimeout(this.pending);
    this.unlisten?.();
  }
}
