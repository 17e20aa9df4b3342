// Speech on the embedded default config's engines, on this machine: text-to-speech real-time
// factor (synthesis time / audio time, below 1 is faster than real time; and time to the first
// audio chunk) of the local flite engine per output format, and speech-to-text real-time factor
// and word accuracy of the managed Whisper engine (whisper-server, tiny.en) and of pocketsphinx
// (the light option) on that speech: the ten round-trip sentences of test/speech. Each figure is
// the median of RUNS runs, with the load average next to it (the machine may be shared).
//   scripts/setup-speech.sh && node --import tsx bench/speech.ts
import { create } from "@bufbuild/protobuf";
import { SpeechFormat } from "../gen/ts/hoosh/v1/speech_pb.js";
import { AudioEncoding, TranscribeConfigSchema } from "../gen/ts/hoosh/v1/transcribe_pb.js";
import { dataDir } from "../server/engines/data-dir.js";
import { PocketsphinxProvider } from "../server/providers/stt/pocketsphinx.js";
import { WhisperServerProvider } from "../server/providers/stt/whisper-server.js";
import type { Provider, SpeechRequest } from "../server/providers/provider.js";
import { Transport } from "../server/providers/transport.js";
import { FliteProvider } from "../server/providers/tts/flite.js";
import { corpusAccuracy, SENTENCES } from "../test/speech/sentences.js";
import { loadavg, median } from "./lib/stats.js";

const RUNS = Number(process.env.RUNS ?? 3);
const call = { signal: new AbortController().signal, requestId: "bench" };
const rows: string[] = [];

// Text to speech.
const tts = new FliteProvider({ name: "text-to-speech", models: ["flite"] });
const wavs: Buffer[] = [];
for (const [name, format] of [["WAV", SpeechFormat.WAV], ["MP3", SpeechFormat.MP3]] as const) {
  const rtf: number[] = [];
  const first: number[] = [];
  let seconds = 0;
  for (let run = 0; run <= RUNS; run++) {
    let spent = 0;
    let audio = 0;
    for (const input of SENTENCES) {
      const req: SpeechRequest = { model: "flite", input, voice: "alloy", format, speed: 1, instructions: "", budgetPool: "" };
      const t0 = performance.now();
      const chunks: Uint8Array[] = [];
      let firstAt = 0;
      for await (const e of tts.synthesize(req, call)) {
        if (e.case === "audio") {
          firstAt ||= performance.now();
          chunks.push(e.value);
        }
        if (e.case === "end") audio += e.value.durationSeconds;
      }
      spent += performance.now() - t0;
      if (run === 0) continue; // warm-up (worker start, wasm compile)
      first.push(firstAt - t0);
      if (run === 1 && format === SpeechFormat.WAV) wavs.push(Buffer.concat(chunks));
    }
    if (run === 0) continue;
    rtf.push(spent / 1000 / audio);
    seconds = audio;
  }
  rows.push(`| text to speech | flite (WASM, worker process), ${name} | ${seconds.toFixed(1)} | ${median(rtf).toFixed(3)} | ${(1 / median(rtf)).toFixed(1)} | first chunk ${median(first).toFixed(0)} ms | ${loadavg()} |`);
  console.error(rows.at(-1));
}
await tts.close();

// Speech to text on that speech.
const config = create(TranscribeConfigSchema, { model: "whisper-tiny.en", encoding: AudioEncoding.WAV, language: "en" });
async function* once(b: Buffer) {
  yield b;
}
async function stt(engine: string, provider: Provider) {
  const rtf: number[] = [];
  let pairs: { reference: string; hypothesis: string }[] = [];
  let seconds = 0;
  for (let run = 0; run <= RUNS; run++) {
    pairs = [];
    let spent = 0;
    let audio = 0;
    for (const [i, wav] of wavs.entries()) {
      const t0 = performance.now();
      const res = await provider.transcribe!(config, once(wav), call);
      spent += performance.now() - t0;
      audio += res.durationSeconds;
      pairs.push({ reference: SENTENCES[i]!, hypothesis: res.text });
    }
    if (run === 0) continue;
    rtf.push(spent / 1000 / audio);
    seconds = audio;
  }
  rows.push(`| speech to text | ${engine} | ${seconds.toFixed(1)} | ${median(rtf).toFixed(3)} | ${(1 / median(rtf)).toFixed(1)} | ${(corpusAccuracy(pairs) * 100).toFixed(1)} % of words | ${loadavg()} |`);
  console.error(rows.at(-1));
}
const transport = new Transport();
const whisper = new WhisperServerProvider({
  name: "speech-to-text",
  models: ["whisper-tiny.en"],
  python: `${dataDir(process.env)}/venv-whisper/bin/python`,
  threads: 1,
  beamSize: 5,
  load: "startup",
  startTimeoutMs: 120_000,
  partialEveryMs: 2000,
  windowSeconds: 10,
  transport,
  log: () => {},
});
await stt("whisper-server (tiny.en, faster-whisper int8, 1 thread, beam 5; managed child process)", whisper);
await whisper.close();
await transport.close();
const sphinx = new PocketsphinxProvider({ name: "pocketsphinx", models: ["*"] });
await stt("pocketsphinx (in-process, Debian en-us model)", sphinx);
await sphinx.close();

console.log(`\nSpeech engines of the embedded default config: the ten sentences of test/speech, median of ${RUNS} runs after a warm-up\n`);
console.log("| direction | engine | audio s | RTF | × real time | other | load average |");
console.log("|---|---|---:|---:|---:|---|---|");
for (const r of rows) console.log(r);
