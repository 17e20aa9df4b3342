// Input limits that are not about who calls: the longest a streaming RPC may
// run (server.max_stream_duration_ms), and the bind-address safety check.
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import type { Config } from "../config/schema.js";

/**
 * Ends a server-streaming response with DeadlineExceeded once it has run for
 * `ms`. Stopping the iteration returns the handler's generator, which aborts
 * the upstream call.
 */
export function streamDurationInterceptor(ms: number): Interceptor {
  return (next) => async (req) => {
    const res = await next(req);
    if (!res.stream) return res;
    return { ...res, message: bounded(res.message, ms) };
  };
}

async function* bounded<T>(messages: AsyncIterable<T>, ms: number): AsyncGenerator<T> {
  const it = messages[Symbol.asyncIterator]();
  const deadline = Date.now() + ms;
  let timer: NodeJS.Timeout | undefined;
  try {
    for (;;) {
      const expired = new Promise<"expired">((resolve) => (timer = setTimeout(() => resolve("expired"), Math.max(0, deadline - Date.now()))));
      const next = await Promise.race([it.next(), expired]);
      clearTimeout(timer);
      if (next === "expired") {
        throw new ConnectError(`stream exceeded the server's ${ms} ms limit (server.max_stream_duration_ms)`, Code.DeadlineExceeded);
      }
      if (next.done) return;
      yield next.value;
    }
  } finally {
    clearTimeout(timer);
    void it.return?.()?.catch(() => undefined);
  }
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost|::ffff:127\.\d+\.\d+\.\d+)$/;

export function isLoopback(bind: string): boolean {
  return LOOPBACK.test(bind);
}

/**
 * Why serve must not start: a non-loopback bind with no [[keys]] would let
 * anyone on the network spend the providers' credits. Undefined when it may.
 */
export function unsafeBindReason(config: Pick<Config, "server" | "auth" | "keys">): string | undefined {
  if (config.keys.length > 0 || isLoopback(config.server.bind) || config.auth.allow_unauthenticated_remote) return undefined;
  return (
    `server.bind: ${JSON.stringify(config.server.bind)} is not a loopback address and no [[keys]] are configured, ` +
    `so anyone who can reach it could use hoosh; add [[keys]] (see \`hoosh keys hash\`), bind to 127.0.0.1, ` +
    `or set [auth] allow_unauthenticated_remote = true`
  );
}
