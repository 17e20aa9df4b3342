// whisper.cpp (@napi-rs/whisper) in a child process: its full() is synchronous
// and would block the event loop for the whole utterance. Not a worker_thread:
// @napi-rs/whisper 0.0.4 segfaults the whole process when a worker thread that
// loaded it exits (even a plain require() then exit), so cancelling would kill
// the gateway; a child process can be killed safely. Plain JavaScript so it
// starts under any loader (tsx, vitest, the esbuild bundle).
// Protocol: in { id, modelPath, threads, language, prompt, samples: Float32Array }
//           out { id, text, segments: [{ text, start, end }] } | { id, error }
// The model stays loaded between requests; cancelling kills the process.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
let loaded; // { path, whisper }

function model(path) {
  if (loaded?.path === path) return loaded.whisper;
  const { Whisper } = require("@napi-rs/whisper");
  loaded = { path, whisper: new Whisper(path, { useGpu: false }) };
  return loaded.whisper;
}

process.on("message", (req) => {
  try {
    const { WhisperFullParams, WhisperSamplingStrategy } = require("@napi-rs/whisper");
    const whisper = model(req.modelPath);
    const params = new WhisperFullParams(WhisperSamplingStrategy.Greedy);
    params.nThreads = req.threads;
    params.printProgress = false;
    params.printRealtime = false;
    params.language = req.language || "auto";
    if (req.prompt) params.initialPrompt = req.prompt;
    const segments = [];
    params.onNewSegment = (s) => segments.push({ text: s.text, start: s.start, end: s.end });
    const text = whisper.full(params, req.samples);
    process.send({ id: req.id, text, segments });
  } catch (err) {
    process.send({ id: req.id, error: String(err?.message ?? err) });
  }
});
process.on("disconnect", () => process.exit(0)); // the gateway went away
