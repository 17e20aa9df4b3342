// TranscribeService: proto in, proto out; the work is in core/transcribe.ts.
import type { ServiceImpl } from "@connectrpc/connect";
import type { TranscribeService } from "../../gen/ts/hoosh/v1/transcribe_pb.js";
import type { Transcription } from "../core/transcribe.js";

type TranscriptionApi = Pick<Transcription, "transcribe" | "transcribeStream">;
import { streamCall, unaryCall } from "./call-context.js";

export function createTranscribeService(transcription: TranscriptionApi, requestTimeoutMs: number): ServiceImpl<typeof TranscribeService> {
  return {
    transcribe: (requests, ctx) => unaryCall(ctx, requestTimeoutMs, (call) => transcription.transcribe(requests, call)),
    // Partials as an incremental engine forms them (none from whole-file providers), then the final.
    async *transcribeStream(requests, ctx) {
      for await (const event of streamCall(ctx, requestTimeoutMs, (call) => transcription.transcribeStream(requests, call))) yield { event };
    },
  };
}
