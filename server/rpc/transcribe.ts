// TranscribeService: proto in, proto out; the work is in core/transcribe.ts.
import type { ServiceImpl } from "@connectrpc/connect";
import type { TranscribeService } from "../../gen/ts/hoosh/v1/transcribe_pb.js";
import type { Transcription } from "../core/transcribe.js";
import { callContext } from "./call-context.js";

export function createTranscribeService(transcription: Transcription, requestTimeoutMs: number): ServiceImpl<typeof TranscribeService> {
  return {
    transcribe: (requests, ctx) => transcription.transcribe(requests, callContext(ctx, requestTimeoutMs)),
    // Engines that decode incrementally add partials here; the final transcript is always last.
    async *transcribeStream(requests, ctx) {
      const final = await transcription.transcribe(requests, callContext(ctx, requestTimeoutMs));
      yield { event: { case: "final", value: final } };
    },
  };
}
