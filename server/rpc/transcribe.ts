// TranscribeService: proto in, proto out; the work is in core/transcribe.ts.
import type { ServiceImpl } from "@connectrpc/connect";
import type { TranscribeFileRequest, TranscribeService, TranscribeStreamRequest } from "../../gen/ts/hoosh/v1/transcribe_pb.js";
import type { Transcription } from "../core/transcribe.js";

type TranscriptionApi = Pick<Transcription, "transcribe" | "transcribeStream">;
import { streamCall, unaryCall } from "./call-context.js";

/** TranscribeFile's audio goes to the engine in pieces this big (0.5 s of 16 kHz PCM16), so it decodes and sends partials as it goes. */
export const FILE_PIECE_BYTES = 16_000;

export function createTranscribeService(transcription: TranscriptionApi, requestTimeoutMs: number): ServiceImpl<typeof TranscribeService> {
  return {
    transcribe: (requests, ctx) => unaryCall(ctx, requestTimeoutMs, (call) => transcription.transcribe(requests, call)),
    // Partials as an incremental engine forms them (none from whole-file providers), then the final.
    async *transcribeStream(requests, ctx) {
      for await (const event of streamCall(ctx, requestTimeoutMs, (call) => transcription.transcribeStream(requests, call))) yield { event };
    },
    // The one-message form (browsers) runs as the stream it stands for: the same checks and events.
    async *transcribeFile(req, ctx) {
      for await (const event of streamCall(ctx, requestTimeoutMs, (call) => transcription.transcribeStream(asStream(req), call))) yield { event };
    },
  };
}

/** The config, then the audio in pieces; an absent config reaches the core's "first message must carry config". */
async function* asStream(req: TranscribeFileRequest): AsyncGenerator<Pick<TranscribeStreamRequest, "payload">> {
  if (req.config) yield { payload: { case: "config", value: req.config } };
  else yield { payload: { case: undefined } };
  for (let at = 0; at < req.audio.length; at += FILE_PIECE_BYTES) {
    yield { payload: { case: "audio", value: req.audio.subarray(at, at + FILE_PIECE_BYTES) } };
  }
}
