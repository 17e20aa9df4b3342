// Speech-to-text real-time factor on this machine: decode time / audio time
// (below 1 is faster than real time) for pocketsphinx (in-process, koffi),
// when HOOSH_WHISPER_MODEL names a ggml file, whisper (worker process), and,
// when scripts/setup-whisper-server.sh has run, hoosh's openai STT client
// against scripts/whisper-server (real tiny.en via faster-whisper). Audio:
// flite speech (16 kHz) and ../shared/audio/jfk.wav when present. Also the
// event loop's worst stall while pocketsphinx decodes (its native calls run on
// koffi's async thread). Prints a Markdown table.
//   node --import tsx bench/stt.ts
import { existsSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { create } from "@bufbuild/protobuf";
import { AudioEncoding, TranscribeConfigSchema } from "../gen/ts/hoosh/v1/transcribe_pb.js";
import { PocketsphinxProvider } from "../server/providers/stt/pocketsphinx.js";
import { WhisperProvider } from "../server/providers/stt/whisper.js";
import type { Provider } from "../server/providers/provider.js";
import { Transport } from "../server/providers/transport.js";
import { FLITE_TEXT, fliteWav, JFK_TEXT, JFK_WAV, wordAccuracy } from "../test/stt/harness.js";
import { startWhisperServer, whisperVenvExists } from "../test/stt/whisper-server.js";
import { openai } from "../test/transcribe/harness.js";

const RUNS = Number(process.env.RUNS ?? 3);
const call = { signal: new AbortController().signal, requestId: "bench" };
const config = create(TranscribeConfigSchema, { model: "bench", encoding: AudioEncoding.WAV, language: "en" });

async function* chunked(wav: Buffer) {
  for (let at = 0; at < wav.length; at += 3200) yield wav.subarray(at, at + 3200); // 100 ms at 16 kHz mono
}

interface Row {
  engine: string;
  audio: string;
  seconds: number;
  rtf: number;
  accuracy: number;
  stallMs: number;
}

async function measure(engine: string, provider: Provider, audio: string, wav: Buffer, reference: string, cfg = config): Promise<Row> {
  let best = Infinity;
  let text = "";
  let seconds = 0;
  const lag = monitorEventLoopDelay({ resolution: 1 });
  for (let run = 0; run < RUNS; run++) {
    lag.enable();
    const started = performance.now();
    const res = await provider.transcribe!(cfg, chunked(wav), call);
    best = Math.min(best, performance.now() - started);
    lag.disable();
    text = res.text;
    seconds = res.durationSeconds;
  }
  return { engine, audio, seconds, rtf: best / 1000 / seconds, accuracy: wordAccuracy(reference, text), stallMs: lag.max / 1e6 };
}

const inputs: [string, Buffer, string][] = [["flite, 3 sentences", await fliteWav(), FLITE_TEXT]];
if (existsSync(JFK_WAV)) inputs.push(["jfk.wav", readFileSync(JFK_WAV), JFK_TEXT]);
else console.log(`jfk.wav is absent (${JFK_WAV}); only flite speech is measured`);

const rows: Row[] = [];
const sphinx = new PocketsphinxProvider({ name: "pocketsphinx", models: ["*"] });
await sphinx.transcribe(config, chunked(inputs[0]![1]), call); // load the decoder (~0.5-1 s) outside the timings
for (const [name, wav, ref] of inputs) rows.push(await measure("pocketsphinx", sphinx, name, wav, ref));
await sphinx.close();

const whisperModel = process.env.HOOSH_WHISPER_MODEL;
if (whisperModel) {
  const threads = Math.max(1, cpus().length - 1);
  const whisper = new WhisperProvider({ name: "whisper", models: ["*"], model_path: whisperModel, threads });
  await whisper.transcribe(config, chunked(inputs[0]![1]), call);
  for (const [name, wav, ref] of inputs) rows.push(await measure(`whisper (${threads} threads)`, whisper, name, wav, ref));
  await whisper.close();
}

// hoosh's openai STT client (what an `openai`-type provider runs) → scripts/whisper-server, its own process.
if (whisperVenvExists()) {
  const server = await startWhisperServer(["--cpu-threads", "1"]); // the default on <= 2 cores; fixed so rows compare across machines
  const transport = new Transport();
  const remote = openai("whisper-server", server.baseUrl, transport);
  const cfg = create(TranscribeConfigSchema, { model: "whisper-1", encoding: AudioEncoding.WAV, language: "en" });
  try {
    await remote.transcribe(cfg, chunked(inputs[0]![1]), call); // first decode warms CTranslate2 up
    for (const [name, wav, ref] of inputs) rows.push(await measure("hoosh → whisper-server (tiny.en, faster-whisper int8, 1 thread)", remote, name, wav, ref, cfg));
  } finally {
    await transport.close();
    await server.stop();
  }
}

console.log(`\n${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, best of ${RUNS}\n`);
console.log("| engine | audio | audio s | RTF | × real time | word accuracy | max event-loop stall ms |");
console.log("|---|---|---:|---:|---:|---:|---:|");
for (const r of rows) {
  const cells = [r.engine, r.audio, r.seconds.toFixed(1), r.rtf.toFixed(3), (1 / r.rtf).toFixed(1), `${(r.accuracy * 100).toFixed(1)} %`, r.stallMs.toFixed(1)];
  console.log(`| ${cells.join(" | ")} |`);
}
if (!whisperModel) console.log("| whisper | — | — | — | — | — | not run: no ggml weights on this machine (set HOOSH_WHISPER_MODEL) |");
if (!whisperVenvExists()) console.log("| hoosh → whisper-server | — | — | — | — | — | not run: no venv (run scripts/setup-whisper-server.sh) |");
