// The core's CallContext for a Connect handler (core/call-builder.ts): the handler's signal
// (client cancel, disconnect, grpc-timeout/connect-timeout-ms deadline) plus hoosh's own request
// timeout, the request id echoed in the response header, and the key the auth interceptor found.
import type { HandlerContext } from "@connectrpc/connect";
import { identity } from "../auth/authorize.js";
import { keyOf } from "../auth/interceptor.js";
import { beginCall, type StartedCall } from "../core/call-builder.js";
import type { CallContext } from "../providers/provider.js";

export function startRpcCall(ctx: HandlerContext, requestTimeoutMs: number): StartedCall {
  const key = keyOf(ctx);
  const started = beginCall({
    header: (name) => ctx.requestHeader.get(name),
    timeoutMs: requestTimeoutMs,
    signal: ctx.signal,
    key: key && identity(key),
  });
  ctx.responseHeader.set("x-request-id", started.call.requestId);
  started.call.edge = edgeOf(ctx);
  return started;
}

/** The REST transcoder calls the handlers in memory (createRouterTransport): its URLs are https://in-memory/…. */
const IN_MEMORY = "https://in-memory/";

/** grpc | grpc-web | connect, or rest for the native JSON transcoding (rest/transcode). */
export function edgeOf(ctx: Pick<HandlerContext, "protocolName" | "url">): string {
  return ctx.url.startsWith(IN_MEMORY) ? "rest" : ctx.protocolName;
}

/** Response metadata naming the request fields (hoosh.v1 paths) the serving provider did not honour. */
export const IGNORED_METADATA = "x-hoosh-ignored-params";

function noteIgnored(call: CallContext, into: Headers): void {
  const ignored = call.stats?.ignored ?? [];
  if (ignored.length > 0) into.set(IGNORED_METADATA, ignored.join(", "));
}

/** A unary handler over the core: the call ends (timer cleared) when the answer is ready. */
export async function unaryCall<T>(ctx: HandlerContext, requestTimeoutMs: number, run: (call: CallContext) => Promise<T>): Promise<T> {
  const started = startRpcCall(ctx, requestTimeoutMs);
  try {
    const out = await run(started.call);
    noteIgnored(started.call, ctx.responseHeader);
    return out;
  } finally {
    started.end();
  }
}

/** A server-streaming handler over the core: the call ends when the stream does, however it ends. */
export async function* streamCall<T>(ctx: HandlerContext, requestTimeoutMs: number, run: (call: CallContext) => AsyncIterable<T>): AsyncGenerator<T> {
  const started = startRpcCall(ctx, requestTimeoutMs);
  try {
    yield* run(started.call);
    // Headers went out with the first message: a stream reports it in the trailers.
    noteIgnored(started.call, ctx.responseTrailer);
  } finally {
    started.end();
  }
}
