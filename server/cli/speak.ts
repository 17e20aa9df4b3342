// `hoosh speak TEXT [-o FILE] [--voice V] [--speed S] [--model M] [--format wav|mp3|pcm]`: text to
// speech through a running hoosh's SpeechService (gRPC), the audio written as it streams in.
// The format follows -o's extension (.wav, .mp3, .pcm) unless --format says; without -o the
// audio goes to stdout. A WAV written to a file gets its real sizes in the header at the end.
import { createWriteStream } from "node:fs";
import { open, rm } from "node:fs/promises";
import { extname } from "node:path";
import { once } from "node:events";
import type { Writable } from "node:stream";
import { SpeechFormat, SpeechService } from "../../gen/ts/hoosh/v1/speech_pb.js";
import { parse, UsageError } from "./args.js";
import { CLIENT_OPTIONS, clientFor } from "./client.js";

const FORMATS = { wav: SpeechFormat.WAV, mp3: SpeechFormat.MP3, pcm: SpeechFormat.PCM16 } as const;
type FormatName = keyof typeof FORMATS;

export async function speak(args: string[]): Promise<void> {
  const { values, positionals } = parse(
    args,
    { ...CLIENT_OPTIONS, output: { type: "string", short: "o" }, voice: { type: "string" }, speed: { type: "string" }, model: { type: "string" }, format: { type: "string" } },
    ["TEXT"],
  );
  const out = values.output;
  const format = formatOf(values.format, out);
  let speed: number | undefined;
  if (values.speed !== undefined) {
    speed = Number(values.speed);
    if (values.speed.trim() === "" || !Number.isFinite(speed)) throw new UsageError(`--speed: ${JSON.stringify(values.speed)} is not a number (0.25 to 4)`);
  }
  const client = clientFor(SpeechService, values);
  const request = { model: values.model ?? "tts-1", input: positionals[0]!, voice: values.voice ?? "", format: FORMATS[format], speed };
  const toFile = out !== undefined && out !== "-";
  // The file is made with the first audio: a refused request leaves no empty file behind.
  let sink: Writable | undefined;
  let bytes = 0;
  try {
    for await (const ev of client.synthesize(request)) {
      const e = ev.event;
      if (e.case === "audio") {
        sink ??= toFile ? createWriteStream(out) : process.stdout;
        bytes += e.value.length;
        if (!sink.write(e.value)) await once(sink, "drain");
      }
      if (e.case === "end") {
        const u = e.value.usage;
        process.stderr.write(`[model=${u?.model ?? request.model} provider=${u?.provider ?? "?"} characters=${u?.inputCharacters ?? 0} audio_seconds=${e.value.durationSeconds.toFixed(2)} cost_usd_micros=${u?.costUsdMicros ?? 0}]\n`);
      }
    }
  } catch (err) {
    // A stream cut short leaves no half file.
    if (sink && toFile) await new Promise<void>((resolve) => sink!.end(resolve)).then(() => rm(out, { force: true }));
    throw err;
  }
  if (sink && toFile) await new Promise<void>((resolve) => sink!.end(resolve));
  if (format === "wav" && toFile) await fixWavSizes(out, bytes);
}

function formatOf(flag: string | undefined, out: string | undefined): FormatName {
  if (flag !== undefined) {
    if (!Object.hasOwn(FORMATS, flag)) throw new UsageError(`--format: ${JSON.stringify(flag)} is not one of: ${Object.keys(FORMATS).join(", ")}`);
    return flag as FormatName;
  }
  const ext = out === undefined ? "" : extname(out).slice(1).toLowerCase();
  if (ext === "" || out === "-") return "wav";
  if (!Object.hasOwn(FORMATS, ext)) throw new UsageError(`-o: cannot tell the format from ${JSON.stringify(out)}; use .wav, .mp3 or .pcm, or --format`);
  return ext as FormatName;
}

/** A streamed WAV says 0xFFFFFFFF for its sizes; a finished file can say the truth. */
async function fixWavSizes(path: string, total: number): Promise<void> {
  if (total < 44) return;
  const file = await open(path, "r+");
  try {
    const size = Buffer.alloc(4);
    size.writeUInt32LE(total - 8);
    await file.write(size, 0, 4, 4);
    size.writeUInt32LE(total - 44);
    await file.write(size, 0, 4, 40);
  } finally {
    await file.close();
  }
}
