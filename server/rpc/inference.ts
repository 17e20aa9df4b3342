// InferenceService: proto in, proto out; the work is in core/inference.ts.
import type { ServiceImpl } from "@connectrpc/connect";
import type { InferenceService } from "../../gen/ts/hoosh/v1/inference_pb.js";
import type { Inference } from "../core/inference.js";
import { streamCall, unaryCall } from "./call-context.js";

export function createInferenceService(inference: Inference, requestTimeoutMs: number): ServiceImpl<typeof InferenceService> {
  return {
    generate: (req, ctx) => unaryCall(ctx, requestTimeoutMs, (call) => inference.generate(req, call)),
    generateStream: (req, ctx) => streamCall(ctx, requestTimeoutMs, (call) => inference.generateStream(req, call)),
    embed: (req, ctx) => unaryCall(ctx, requestTimeoutMs, (call) => inference.embed(req, call)),
    getCacheStats: () => {
      // All zero when the cache is off ([cache] mode = "off").
      const s = inference.cacheStats();
      return s
        ? { hits: BigInt(s.hits), misses: BigInt(s.misses), coalesced: BigInt(s.coalesced), entries: BigInt(s.entries), bytes: BigInt(s.bytes), maxBytes: BigInt(s.maxBytes), evictions: BigInt(s.evictions) }
        : {};
    },
  };
}
