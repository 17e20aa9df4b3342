// SpeechService: proto in, proto out; the work is in core/speech.ts.
import type { ServiceImpl } from "@connectrpc/connect";
import type { SpeechService } from "../../gen/ts/hoosh/v1/speech_pb.js";
import type { Speech } from "../core/speech.js";
import { streamCall } from "./call-context.js";

export function createSpeechService(speech: Speech, requestTimeoutMs: number): ServiceImpl<typeof SpeechService> {
  return {
    async *synthesize(req, ctx) {
      for await (const event of streamCall(ctx, requestTimeoutMs, (call) => speech.synthesize(req, call))) yield { event };
    },
  };
}
