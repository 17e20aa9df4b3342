// whisper.cpp in a worker process (see worker.mjs for why not a worker thread):
// whole-utterance decoding, one utterance per worker at a time, a bounded
// queue in front, and cancellation that kills the worker (the native full()
// cannot be interrupted otherwise); the next request starts a fresh worker.
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Code, ConnectError } from "@connectrpc/connect";
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
  private nextId = 1;

  constructor(private readonly opts: WhisperEngineOptions) {
    const url = opts.workerUrl ?? new URL("./worker.mjs", import.meta.url);
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
      const reply = await this.ask(worker, { modelPath: this.opts.model_path, threads: this.opts.threads, language, prompt, samples }, signal);
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

  private ask(worker: ChildProcess, req: Record<string, unknown>, signal: AbortSignal): Promise<Reply> {
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      const done = () => {
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
        signal.removeEventListener("abort", onAbort);
      };
      const onMessage = (m: Reply) => {
        if (m.id !== id) return;
        done();
        resolve(m);
      };
      const onError = (err: Error) => {
        done();
        reject(new ConnectError(`${this.opts.name}: whisper worker failed: ${err.message}`, Code.Internal));
      };
      const onExit = (code: number | null, sig: string | null) => onError(new Error(`exited with ${sig ?? `code ${code}`}`));
      const onAbort = () => {
        done();
        reject(signal.reason instanceof ConnectError ? signal.reason : new ConnectError("the request was cancelled", Code.Canceled));
      };
      if (signal.aborted) return onAbort();
      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.on("exit", onExit);
      signal.addEventListener("abort", onAbort, { once: true });
      worker.send({ id, ...req });
    });
  }

  close(): void {
    this.pool.close();
  }
}
