// whisper.cpp in a worker process (see worker.mjs for why not a worker thread):
// whole-utterance decoding, one utterance per worker at a time, a bounded
// queue in front, and cancellation that kills the worker (the native full()
// cannot be interrupted otherwise); the next request starts a fresh worker.
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Code, ConnectError } from "@connectrpc/connect";
import { ChildRequests } from "../../child-request.js";
import { EnginePool, type PoolStats } from "../pool.js";

export interface WhisperEngineOptions {
  /** Named in errors, e.g. `provider "whisper"`. */
  name: string;
  model_path: string;
  threads: number;
  /** Workers (each holds the model) decoding at once; default 1. */
  workers?: number;
  maxQueue?: number;
  /** The worker script; tests swap in a stub. Default: ./worker.mjs. */
  workerUrl?: URL;
}

export interface WhisperSegment {
  text: string;
  startSeconds: number;
  endSeconds: number;
}

interface Reply {
  id: number;
  text?: string;
  segments?: { text: string; start: number; end: number }[];
  error?: string;
}

/** whisper.cpp segment times (t0/t1) count 10 ms steps. */
const TICKS_PER_SECOND = 100;

export class WhisperEngine {
  private readonly pool: EnginePool<ChildProcess>;
  private readonly requests: ChildRequests;

  constructor(private readonly opts: WhisperEngineOptions) {
    const url = opts.workerUrl ?? new URL("./worker.mjs", import.meta.url);
    this.requests = new ChildRequests(`${opts.name}: whisper worker`);
    this.pool = new EnginePool({
      name: opts.name,
      size: opts.workers ?? 1,
      maxQueue: opts.maxQueue ?? 4,
      // "advanced" serialization carries the Float32Array samples without JSON.
      create: async () => fork(fileURLToPath(url), [], { serialization: "advanced", execArgv: [], stdio: ["ignore", "ignore", "inherit", "ipc"] }),
      destroy: (w) => void w.kill("SIGKILL"),
    });
  }

  get stats(): PoolStats {
    return this.pool.stats;
  }

  /** 16 kHz mono float samples in [-1, 1] → text and timed segments. */
  async transcribe(samples: Float32Array, language: string, prompt: string, signal: AbortSignal): Promise<{ text: string; segments: WhisperSegment[] }> {
    const worker = await this.pool.acquire(signal);
    let healthy = false;
    try {
      const reply = await this.requests.ask<Reply>(worker, { modelPath: this.opts.model_path, threads: this.opts.threads, language, prompt, samples }, signal);
      healthy = true;
      if (reply.error !== undefined) {
        throw new ConnectError(`${this.opts.name}: whisper could not transcribe with model_path "${this.opts.model_path}": ${reply.error}`, Code.FailedPrecondition);
      }
      const segments = (reply.segments ?? []).map((s) => ({ text: s.text.trim(), startSeconds: s.start / TICKS_PER_SECOND, endSeconds: s.end / TICKS_PER_SECOND }));
      return { text: (reply.text ?? "").trim(), segments };
    } finally {
      // A cancelled or crashed worker is terminated; a fresh one serves the next request.
      this.pool.release(worker, healthy);
    }
  }

  close(): void {
    this.pool.close();
  }
}
