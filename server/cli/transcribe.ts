// `hoosh transcribe FILE [--model M] [--stream] [--format text|json|srt|vtt] [--language L]`:
// an audio file through a running hoosh's TranscribeService (gRPC, streamed in chunks). With
// --stream, partial hypotheses go to stderr as they form and the final to stdout.
import { readFile } from "node:fs/promises";
import { AudioEncoding, TranscribeService, type TranscribeResponse } from "../../gen/ts/hoosh/v1/transcribe_pb.js";
import { sniffFormat } from "../audio/formats.js";
import { renderTranscription } from "../rest/openai/transcription-response.js";
import { parse, UsageError } from "./args.js";
import { CLIENT_OPTIONS, clientFor } from "./client.js";

const FORMATS = ["text", "json", "srt", "vtt"] as const;
const ENCODINGS = { wav: AudioEncoding.WAV, mp3: AudioEncoding.MP3, ogg: AudioEncoding.OGG_OPUS, flac: AudioEncoding.FLAC, webm: AudioEncoding.WEBM_OPUS } as const;
const CHUNK_BYTES = 32 * 1024;

export async function transcribe(args: string[]): Promise<void> {
  const { values, positionals } = parse(
    args,
    { ...CLIENT_OPTIONS, model: { type: "string" }, stream: { type: "boolean" }, format: { type: "string" }, language: { type: "string" } },
    ["FILE"],
  );
  const format = values.format ?? "text";
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format: ${JSON.stringify(format)} is not one of: ${FORMATS.join(", ")}`);
  const file = positionals[0]!;
  const audio = await readFile(file).catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`FILE: cannot read ${JSON.stringify(file)}: ${err.code ?? err.message}`);
  });
  const sniffed = sniffFormat(audio);
  if (sniffed === "unknown") throw new UsageError(`FILE: ${JSON.stringify(file)} is not a WAV, MP3, OGG, FLAC or WebM file`);
  const config = { model: values.model ?? "whisper-1", encoding: ENCODINGS[sniffed], language: values.language ?? "" };
  const client = clientFor(TranscribeService, values);

  let res: TranscribeResponse | undefined;
  if (values.stream) {
    for await (const ev of client.transcribeStream(messages(config, audio))) {
      if (ev.event.case === "partial") process.stderr.write(`… ${ev.event.value.text}\n`);
      if (ev.event.case === "final") res = ev.event.value;
    }
    if (!res) throw new Error("the stream ended without a final transcript");
  } else {
    res = await client.transcribe(messages(config, audio));
  }
  const out = renderTranscription(res, format as (typeof FORMATS)[number], []).body;
  process.stdout.write(out.endsWith("\n") ? out : `${out}\n`);
  const u = res.usage;
  process.stderr.write(`[model=${res.model} provider=${u?.provider ?? "?"} audio_seconds=${res.durationSeconds.toFixed(2)} cost_usd_micros=${u?.costUsdMicros ?? 0}]\n`);
}

/** Init shapes: Transcribe and TranscribeStream take the same messages (config, then audio). */
async function* messages(config: { model: string; encoding: AudioEncoding; language: string }, audio: Buffer) {
  yield { payload: { case: "config" as const, value: config } };
  for (let at = 0; at < audio.length; at += CHUNK_BYTES) {
    yield { payload: { case: "audio" as const, value: audio.subarray(at, at + CHUNK_BYTES) } };
  }
}
