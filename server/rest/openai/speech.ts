// POST /v1/audio/speech: OpenAI's JSON in ({model, input, voice, response_format, speed,
// instructions}), the core's Synthesize, the audio file streamed out as the engine produces it
// (chunked), as the official SDKs' audio.speech.create reads it. Errors before the first byte
// are OpenAI error JSON (400 naming the field); after it the connection is cut.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { z } from "zod";
import { SpeechFormat, SynthesizeRequestSchema } from "../../../gen/ts/hoosh/v1/speech_pb.js";
import { invalidArgument } from "../../core/errors.js";
import { unknownPath } from "../edge-errors.js";
import type { Exchange } from "../exchange.js";
import type { RestDeps } from "../handler.js";
import { drained } from "../http-io.js";
import { parseBody, readJson, unknownKeys } from "../json-body.js";
import { nullish } from "./chat-schema.js";

const FORMATS = { mp3: SpeechFormat.MP3, opus: SpeechFormat.OPUS, aac: SpeechFormat.AAC, flac: SpeechFormat.FLAC, wav: SpeechFormat.WAV, pcm: SpeechFormat.PCM16 } as const;

const SpeechBody = z.object({
  model: z.string().meta({ hint: 'e.g. "tts-1"' }),
  input: z.string().meta({ hint: "the text to speak" }),
  // Newer SDKs may send a custom voice as {"id": "..."}.
  voice: nullish(z.union([z.string(), z.object({ id: z.string() })]).meta({ expected: 'a string such as "alloy"', hint: 'a string such as "alloy"' })),
  response_format: nullish(z.enum(["mp3", "opus", "aac", "flac", "wav", "pcm"])),
  speed: nullish(z.number()),
  instructions: nullish(z.string()),
  stream_format: nullish(z.enum(["audio", "sse"])),
});

export function parseSpeechRequest(raw: unknown) {
  const b = parseBody(SpeechBody, raw);
  if (b.stream_format === "sse") throw invalidArgument("stream_format", '"sse" is not supported; use "audio" (the default): the audio file is streamed as it is produced', "UNSUPPORTED_VALUE");
  const request = create(SynthesizeRequestSchema, {
    model: b.model,
    input: b.input,
    voice: typeof b.voice === "object" && b.voice !== null ? b.voice.id : (b.voice ?? ""),
    format: b.response_format ? FORMATS[b.response_format] : SpeechFormat.UNSPECIFIED,
    speed: b.speed ?? undefined,
    instructions: b.instructions ?? "",
  });
  return { request, ignored: unknownKeys(SpeechBody, raw) };
}

export async function speech(ex: Exchange, deps: RestDeps): Promise<void> {
  if (!deps.speech) throw unknownPath("POST", "/v1/audio/speech");
  const { request, ignored } = parseSpeechRequest(await readJson(ex.req, deps.maxBodyBytes));
  ex.ignore(ignored);
  const events = deps.speech.synthesize(request, ex.call)[Symbol.asyncIterator]();
  // Errors before the first event (validation, routing, the provider refusing) are this edge's error JSON.
  const first = await events.next();
  if (first.done || first.value.case !== "start") throw new ConnectError("the speech provider sent no audio", Code.Unavailable);
  const res = ex.res;
  res.writeHead(200, { ...ex.headers(), "content-type": first.value.value.contentType || "application/octet-stream" });
  (res as { flushHeaders?: () => void }).flushHeaders?.();
  try {
    for (let next = await events.next(); !next.done; next = await events.next()) {
      if (next.value.case !== "audio") continue;
      if (!res.write(next.value.value)) await drained(res);
      if (res.destroyed) return;
    }
    res.end();
  } catch {
    // Headers are out: the only way to say "failed" is to cut the stream short.
    res.destroy();
  } finally {
    await events.return?.(undefined);
  }
}
