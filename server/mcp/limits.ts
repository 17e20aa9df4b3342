// Tool-call limits: per-key calls per minute ([[keys]] tool_rpm) and per-server
// calls per minute ([[mcp_servers]] rpm) over the app's rate windows (shared by
// the replicas with a Redis [store]); and each server's concurrency
// (max_concurrent_calls, with max_queued_calls waiting). Refusals are
// RESOURCE_EXHAUSTED naming the limit.
import { Code, ConnectError } from "@connectrpc/connect";
import { retrySeconds, type RateWindows } from "../core/rate-limit/window.js";

export class ToolRateLimits {
  constructor(
    private readonly windows: RateWindows,
    private readonly keyRpm: ReadonlyMap<string, number>,
    private readonly serverRpm: ReadonlyMap<string, number>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one call of key `keyId` to `server`; throws when either is over its rpm. */
  async admit(keyId: string | undefined, server: string): Promise<void> {
    const keyLimit = keyId === undefined ? undefined : this.keyRpm.get(keyId);
    if (keyLimit !== undefined) await this.take(`tools:key:${keyId}`, keyLimit, `API key "${keyId}" exceeded its limit of ${keyLimit} tool calls per minute ([[keys]] tool_rpm)`);
    const serverLimit = this.serverRpm.get(server);
    if (serverLimit !== undefined) await this.take(`tools:server:${server}`, serverLimit, `MCP server "${server}" exceeded its limit of ${serverLimit} calls per minute ([[mcp_servers]] rpm)`);
  }

  private async take(subject: string, rpm: number, message: string): Promise<void> {
    const verdict = await this.windows.take(subject, { rpm }, this.now());
    if (verdict.admitted) return;
    const wait = retrySeconds(verdict.retryAfterMs);
    throw new ConnectError(`${message}; retry in ${wait} s`, Code.ResourceExhausted, { "retry-after": String(wait) });
  }
}

/** A server's concurrency: `max` calls run, up to `maxQueued` wait (FIFO), more are refused. */
export class CallGate {
  private running = 0;
  private readonly waiting: { go: () => void; fail: (err: unknown) => void }[] = [];

  constructor(
    private readonly server: string,
    private readonly max: number,
    private readonly maxQueued: number,
  ) {}

  get inFlight(): number {
    return this.running;
  }

  /** Resolves with a release function once the call may run; rejects if `signal` aborts while it waits. */
  acquire(signal: AbortSignal): Promise<() => void> {
    if (this.running < this.max) {
      this.running++;
      return Promise.resolve(this.releaser());
    }
    if (this.waiting.length >= this.maxQueued) {
      return Promise.reject(
        new ConnectError(
          `MCP server "${this.server}" has ${this.running} calls running and ${this.waiting.length} waiting, its limit (max_concurrent_calls ${this.max}, max_queued_calls ${this.maxQueued}); retry later`,
          Code.ResourceExhausted,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const entry = {
        go: () => {
          signal.removeEventListener("abort", onAbort);
          this.running++;
          resolve(this.releaser());
        },
        fail: reject,
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(entry);
    });
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.running--;
      this.waiting.shift()?.go();
    };
  }
}
