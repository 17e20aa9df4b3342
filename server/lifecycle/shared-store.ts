// A budget store shared by successive app generations across config reloads.
// Each app gets its own handle (an OpenedStore whose close() releases that
// handle); the underlying store closes when the last handle is released, so
// the old app closing after a reload does not close the store the new app uses.
import type { OpenedStore } from "../store/open-budget-store.js";

export class SharedStore {
  private refs = 0;
  private closed?: Promise<void>;

  constructor(private readonly opened: OpenedStore) {}

  /** A new handle for one app; its close() releases it (idempotent). */
  handle(): OpenedStore {
    this.refs++;
    let released = false;
    return {
      store: this.opened.store,
      outbox: this.opened.outbox,
      keys: this.opened.keys,
      requests: this.opened.requests,
      close: async () => {
        if (released) return;
        released = true;
        if (--this.refs === 0) {
          this.closed ??= this.opened.close();
          await this.closed;
        }
      },
    };
  }
}
