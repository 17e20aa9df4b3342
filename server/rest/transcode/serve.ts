// Serves one matched request: read the body (capped), build the request
// message, call the RPC in memory, answer JSON or NDJSON. Errors answer
// google.rpc.Status JSON; nothing is written once the client has gone.
import { toJson, type JsonValue, type Message, type Registry } from "@bufbuild/protobuf";
import { Code, ConnectError, type CallOptions } from "@connectrpc/connect";
import type { HttpRequest, HttpResponse } from "../handler.js";
import type { Binding } from "./bindings.js";
import { readBody } from "./body.js";
import { startCall, type Call } from "./call.js";
import { buildRequest } from "./request.js";
import { writeHttpError, writeJson, writeStream } from "./respond.js";
import { httpError } from "./status.js";
import { tooLarge } from "../edge-errors.js";

/** A client method as createClient makes it: unary returns a promise, server streaming an async iterable. */
export type ClientMethod = (request: Message, options: CallOptions) => Promise<Message> | AsyncIterable<Message>;

export interface ServeContext {
  registry: Registry;
  maxBodyBytes: number;
  /** The client method for a binding's RPC. */
  clientMethod(binding: Binding): ClientMethod;
}

export async function serveBinding(ctx: ServeContext, binding: Binding, values: string[], query: string, req: HttpRequest, res: HttpResponse): Promise<void> {
  let call: Call | undefined;
  try {
    call = startCall(req, res);
    let body: Uint8Array | undefined;
    if (binding.body !== "") {
      const read = await readBody(req, ctx.maxBodyBytes);
      if (!read.ok) {
        if (read.reason === "closed") return;
        return writeHttpError(res, httpError(tooLarge(ctx.maxBodyBytes), ctx.registry));
      }
      body = read.bytes;
    }
    const request = buildRequest(binding, values, new URLSearchParams(query), body, ctx.registry);
    const invoke = ctx.clientMethod(binding);
    const toLine = (message: unknown) => responseJson(binding, message as Message, ctx.registry);
    if (binding.method.methodKind === "server_streaming") {
      const c = call;
      await writeStream(res, invoke(request, c.options) as AsyncIterable<Message>, {
        line: toLine,
        error: (reason) => httpError(reason, ctx.registry),
        headers: () => c.responseHeaders,
        closed: () => c.closed,
      });
      return;
    }
    const response = await (invoke(request, call.options) as Promise<Message>);
    if (!call.closed) writeJson(res, 200, call.responseHeaders, toLine(response));
  } catch (reason) {
    if (call?.closed) return;
    writeHttpError(res, httpError(reason, ctx.registry), call?.responseHeaders);
  } finally {
    call?.done();
  }
}

/** The response as protobuf JSON (lowerCamelCase names, defaults omitted), narrowed to response_body when set. */
function responseJson(binding: Binding, message: Message, registry: Registry): JsonValue {
  const json = toJson(binding.method.output, message, { registry });
  if (!binding.responseBody) return json;
  const value = (json as Record<string, JsonValue>)[binding.responseBody.jsonName];
  return value ?? null;
}
