// The listener's request handler as an indirection over app generations. Each
// request is served by the generation current when it arrived and counted as
// in flight there until its response closes. A reload swaps the current
// generation; a retired one is closed once its last request has finished.
import type { App } from "../app.js";
import type { RequestHandler } from "../listen.js";

export interface Generation {
  readonly app: App;
  readonly handler: RequestHandler;
  readonly id: number;
}

interface Live extends Generation {
  active: number;
  retired: boolean;
  closing?: Promise<void>;
}

export class Generations {
  private current?: Live;

  /** Whether an app has been installed yet (false while the first one is built). */
  get installed(): boolean {
    return this.current !== undefined;
  }
  private readonly retiring = new Set<Live>();
  private nextId = 1;

  constructor(private readonly onCloseError: (gen: number, err: Error) => void = () => {}) {}

  /** The generation new requests go to. */
  get app(): App {
    if (!this.current) throw new Error("no app generation is installed");
    return this.current.app;
  }

  /** The one handler the listener calls. */
  readonly handler: RequestHandler = (req, res) => {
    const gen = this.current;
    if (!gen) {
      res.statusCode = 503;
      res.end();
      return;
    }
    gen.active++;
    res.once("close", () => {
      gen.active--;
      if (gen.retired && gen.active === 0) void this.closeGen(gen);
    });
    gen.handler(req, res);
  };

  /** Makes app the current generation; the previous one closes once idle. */
  install(app: App, handler: RequestHandler): Generation {
    const next: Live = { app, handler, id: this.nextId++, active: 0, retired: false };
    const prev = this.current;
    this.current = next;
    if (prev) {
      prev.retired = true;
      prev.app.retire?.();
      this.retiring.add(prev);
      if (prev.active === 0) void this.closeGen(prev);
    }
    return next;
  }

  /** Requests in flight on retired generations (for logs and tests). */
  retiredInFlight(): number {
    let n = 0;
    for (const g of this.retiring) n += g.active;
    return n;
  }

  /** Closes every generation (after the listener drained). */
  async closeAll(): Promise<void> {
    const all = [...this.retiring, ...(this.current ? [this.current] : [])];
    this.current = undefined;
    await Promise.all(all.map((g) => this.closeGen(g)));
  }

  private closeGen(gen: Live): Promise<void> {
    gen.closing ??= gen.app.close().then(
      () => void this.retiring.delete(gen),
      (err: Error) => {
        this.retiring.delete(gen);
        this.onCloseError(gen.id, err);
      },
    );
    return gen.closing;
  }
}
