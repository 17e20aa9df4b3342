// POST /v1/audio/transcriptions: a multipart upload in, the core's Transcribe
// (config, then the audio in chunks), the transcript in the asked format out.
import { create } from "@bufbuild/protobuf";
import { TranscribeRequestSchema, type TranscribeRequest } from "../../../gen/ts/hoosh/v1/transcribe_pb.js";
import { DEFAULT_TRANSCRIPTION_LIMITS } from "../../core/transcribe.js";
import type { RestDeps } from "../handler.js";
import type { Exchange } from "../exchange.js";
import { discardBody, mediaType, readBody } from "../http-io.js";
import { unsupportedMediaType } from "../edge-errors.js";
import { parseTranscriptionRequest, type TranscriptionCall } from "./transcription-request.js";
import { renderTranscription } from "./transcription-response.js";

/** Room for the form's text fields and multipart framing around the audio. */
const FORM_OVERHEAD_BYTES = 1024 * 1024;
const CHUNK_BYTES = 256 * 1024;

/**
 * Uploads may be as large as the core accepts audio (OpenAI's 25 MiB file
 * limit), which is more than server.max_body_bytes allows a JSON message.
 */
export const uploadLimit = (deps: RestDeps): number => Math.max(deps.maxBodyBytes, DEFAULT_TRANSCRIPTION_LIMITS.maxAudioBytes + FORM_OVERHEAD_BYTES);

/** The request stream the core reads: the config, then the audio in chunks (views, no copies). */
async function* requests(call: TranscriptionCall): AsyncGenerator<TranscribeRequest> {
  yield create(TranscribeRequestSchema, { payload: { case: "config", value: call.config } });
  for (let at = 0; at < call.audio.length; at += CHUNK_BYTES) {
    yield create(TranscribeRequestSchema, { payload: { case: "audio", value: call.audio.subarray(at, at + CHUNK_BYTES) } });
  }
}

export async function transcriptions(ex: Exchange, deps: RestDeps): Promise<void> {
  const type = mediaType(ex.req);
  if (type !== "multipart/form-data") {
    discardBody(ex.req);
    throw unsupportedMediaType(type, "upload the audio as multipart/form-data");
  }
  const body = await readBody(ex.req, uploadLimit(deps));
  const call = await parseTranscriptionRequest(body, String(ex.req.headers["content-type"]));
  const res = await deps.transcription.transcribe(requests(call), ex.call);
  // The transcription core does not fill call stats yet; the usage record at least names the provider.
  ex.stats.provider ||= res.usage?.provider ?? "";
  const { body: text, contentType } = renderTranscription(res, call.format, call.granularities);
  ex.text(200, text, contentType);
}
