// connectrpc.conformance.v1.ConformanceService as the suite asks a server under test to
// behave (docs/testing_servers.md of connectrpc.com/conformance v1.0.7): echo what was
// received (headers, timeout, the requests as Any, GET query parameters), answer with the
// response definition's data, headers, trailers, delays and errors. Unimplemented is left
// out on purpose: the router must answer it UNIMPLEMENTED by itself.
import { create } from "@bufbuild/protobuf";
import { anyPack, type Any } from "@bufbuild/protobuf/wkt";
import type { ConnectRouter, HandlerContext } from "@connectrpc/connect";
import {
  BidiStreamRequestSchema,
  ClientStreamRequestSchema,
  ConformancePayloadSchema,
  ConformanceService,
  IdempotentUnaryRequestSchema,
  ServerStreamRequestSchema,
  UnaryRequestSchema,
  type ConformancePayload,
  type StreamResponseDefinition,
  type UnaryResponseDefinition,
} from "./gen/connectrpc/conformance/v1/service_pb.js";
import { addHeaders, errorFrom, requestInfo, sleep } from "./wire.js";

/** The definition's response headers and trailers (sent with the first message, or with the error). */
function setMetadata(ctx: HandlerContext, def: UnaryResponseDefinition | StreamResponseDefinition | undefined): void {
  addHeaders(ctx.responseHeader, def?.responseHeaders ?? []);
  addHeaders(ctx.responseTrailer, def?.responseTrailers ?? []);
}

/** The unary answer (Unary, IdempotentUnary, ClientStream): data or an error carrying the request info. */
async function answerUnary(def: UnaryResponseDefinition | undefined, requests: Any[], ctx: HandlerContext): Promise<{ payload: ConformancePayload }> {
  const info = requestInfo(ctx, requests);
  setMetadata(ctx, def);
  if (def?.response.case === "error") throw errorFrom(def.response.value, info);
  await sleep(def?.responseDelayMs ?? 0);
  return { payload: create(ConformancePayloadSchema, { requestInfo: info, data: def?.response.case === "responseData" ? def.response.value : undefined }) };
}

/** Sends a stream definition's remaining data, then its error (with the request info when nothing was sent). */
async function* answerStream(def: StreamResponseDefinition | undefined, from: number, info: ConformancePayload["requestInfo"]): AsyncGenerator<{ payload: ConformancePayload }> {
  const data = def?.responseData ?? [];
  for (let i = from; i < data.length; i++) {
    await sleep(def?.responseDelayMs ?? 0);
    yield { payload: create(ConformancePayloadSchema, { data: data[i], requestInfo: i === 0 ? info : undefined }) };
  }
  if (def?.error) throw errorFrom(def.error, data.length === 0 ? info : undefined);
}

export function conformanceRoutes(router: ConnectRouter): void {
  router.service(ConformanceService, {
    unary: (req, ctx) => answerUnary(req.responseDefinition, [anyPack(UnaryRequestSchema, req)], ctx),

    idempotentUnary: (req, ctx) => answerUnary(req.responseDefinition, [anyPack(IdempotentUnaryRequestSchema, req)], ctx),

    async clientStream(requests, ctx) {
      let def: UnaryResponseDefinition | undefined;
      const received: Any[] = [];
      for await (const req of requests) {
        if (received.length === 0) def = req.responseDefinition;
        received.push(anyPack(ClientStreamRequestSchema, req));
      }
      return answerUnary(def, received, ctx);
    },

    async *serverStream(req, ctx) {
      const def = req.responseDefinition;
      setMetadata(ctx, def);
      yield* answerStream(def, 0, requestInfo(ctx, [anyPack(ServerStreamRequestSchema, req)]));
    },

    async *bidiStream(requests, ctx) {
      let def: StreamResponseDefinition | undefined;
      let fullDuplex = false;
      let first = true;
      let sent = 0;
      // Full duplex: the requests since the last response; half duplex: all of them.
      let received: Any[] = [];
      for await (const req of requests) {
        if (first) {
          first = false;
          def = req.responseDefinition;
          fullDuplex = req.fullDuplex;
          setMetadata(ctx, def);
        }
        received.push(anyPack(BidiStreamRequestSchema, req));
        if (!fullDuplex) continue;
        // One response per request while there are any; then the error, if one is asked for.
        if (!def || sent >= def.responseData.length) break;
        await sleep(def.responseDelayMs);
        yield { payload: create(ConformancePayloadSchema, { data: def.responseData[sent], requestInfo: requestInfo(ctx, received) }) };
        sent++;
        received = [];
      }
      yield* answerStream(def, sent, requestInfo(ctx, received));
    },
  });
}
