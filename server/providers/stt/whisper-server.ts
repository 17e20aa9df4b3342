// Provider type "whisper-server": a real Whisper model with no API key and no manual step.
// hoosh runs scripts/whisper-server (faster-whisper, tiny.en; installed by scripts/setup-speech.sh)
// as its own child process (engines/stt/whisper-server/managed-process.ts) and speaks
// OpenAI's /audio/transcriptions to it. Transcribe sends the whole file; TranscribeStream sends
// partials decoded over a sliding window while audio arrives, then the final over all of it.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { create } from "@bufbuild/protobuf";
import { ConnectError } from "@connectrpc/connect";
import { AudioEncoding, TranscribeConfigSchema, type TranscribeConfig, type TranscribeResponse } from "../../../gen/ts/hoosh/v1/transcribe_pb.js";
import { ManagedProcess, type EngineState, type LogFn } from "../../engines/stt/whisper-server/managed-process.js";
import { wrapPcm16 } from "../../audio/wav.js";
import { OpenAIProvider } from "../openai/client.js";
import type { CallContext, Provider, TranscriptEvent } from "../provider.js";
import type { Transport, TransportLimits } from "../transport.js";
import { SpeechProvider } from "./base.js";
import { checkPcmEncoding, ENGINE_RATE_HZ, pcm16kMono } from "./pcm-stream.js";
import { SlidingWindow } from "./sliding-window.js";

export interface WhisperServerOptions {
  name: string;
  models: readonly string[];
  python: string;
  threads: number;
  beamSize: number;
  load: "startup" | "first-use";
  startTimeoutMs: number;
  partialEveryMs: number;
  windowSeconds: number;
  transport: Transport;
  log: LogFn;
}

const LIMITS: TransportLimits = { connectMs: 5_000, firstByteMs: 300_000, idleMs: 300_000, maxConnections: 8 };

export class WhisperServerProvider extends SpeechProvider implements Provider {
  readonly type = "whisper-server";
  readonly engine: ManagedProcess;
  private upstream: { url: string; provider: OpenAIProvider } | undefined;
  private readonly stateListeners: ((state: EngineState) => void)[] = [];

  constructor(private readonly opts: WhisperServerOptions) {
    super(opts.name, opts.models);
    // --exit-with-parent: the engine goes too when hoosh dies without stopping it (kill -9, a crash).
    const args = [serverScript(), "--port", "0", "--exit-with-parent", "--cpu-threads", String(opts.threads), "--beam-size", String(opts.beamSize), "--models", opts.models.join(",")];
    this.engine = new ManagedProcess({
      name: `provider "${opts.name}"`,
      command: opts.python,
      args,
      startTimeoutMs: opts.startTimeoutMs,
      keepAlive: opts.load === "startup",
      log: opts.log,
      healthCheck: async (url, signal) => {
        const res = await fetch(`${url}/models`, { signal });
        if (!res.ok) throw new Error(`GET ${url}/models answered ${res.status}`);
        await res.arrayBuffer();
      },
      onState: (state) => {
        for (const l of this.stateListeners) l(state);
      },
    });
    if (opts.load === "startup") this.engine.warm();
  }

  /** Engine state changes, for provider health (grpc.health, ModelsService): core/speech-engines.ts. */
  watchEngine(listener: (state: EngineState) => void): EngineState {
    this.stateListeners.push(listener);
    return this.engine.state;
  }

  /**
   * While the engine starts, ListModels says "loading" and grpc.health NOT_SERVING (as for a local
   * model loading). A failed start never settles this: the engine watcher reports it instead.
   */
  pendingLoad(): Promise<void> | undefined {
    return this.engine.starting?.then(
      () => undefined,
      () => new Promise<void>(() => {}),
    );
  }

  async transcribe(config: TranscribeConfig, audio: AsyncIterable<Uint8Array>, call: CallContext): Promise<TranscribeResponse> {
    return (await this.client(call.signal)).transcribe(config, audio, call);
  }

  async *transcribeStream(config: TranscribeConfig, audio: AsyncIterable<Uint8Array>, call: CallContext): AsyncGenerator<TranscriptEvent> {
    checkPcmEncoding(config, this.name);
    const client = await this.client(call.signal);
    const pcm = pcm16kMono(config, audio);
    const window = new SlidingWindow(this.opts.windowSeconds, this.opts.partialEveryMs / 1000);
    const parts: Int16Array[] = [];
    let samples = 0;
    let inFlight: Promise<string | undefined> | undefined;
    let ready: string | undefined;
    const decode = (fromSeconds: number, toSeconds: number) => {
      const wav = wavOf(parts, Math.round(fromSeconds * ENGINE_RATE_HZ), Math.round(toSeconds * ENGINE_RATE_HZ));
      return client.transcribe(wavConfig(config), once(wav), call);
    };
    const partial = (text: string, end: number): TranscriptEvent => ({ case: "partial", value: { $typeName: "hoosh.v1.TranscriptPartial", text, endSeconds: end } });
    for await (const chunk of pcm.chunks) {
      parts.push(chunk);
      samples += chunk.length;
      const seconds = samples / ENGINE_RATE_HZ;
      if (ready !== undefined) {
        yield partial(ready, seconds);
        ready = undefined;
      }
      if (!inFlight && window.due(seconds)) {
        // Decoded while more audio arrives; yielded between chunks (or before the final).
        const from = window.start(seconds);
        inFlight = decode(from, seconds).then(
          (res) => {
            ready = window.update(from, res.segments.map((s) => ({ text: s.text, startSeconds: s.startSeconds, endSeconds: s.endSeconds })), res.text);
            inFlight = undefined;
            return ready;
          },
          (err: unknown) => {
            inFlight = undefined;
            throw err;
          },
        );
        inFlight.catch(() => undefined);
      }
    }
    const seconds = samples / ENGINE_RATE_HZ;
    if (inFlight) await inFlight.catch((err: unknown) => Promise.reject(ConnectError.from(err)));
    if (ready !== undefined) yield partial(ready, seconds);
    const res = await decode(0, seconds);
    res.durationSeconds = pcm.seconds();
    yield { case: "final", value: res };
  }

  private async client(signal: AbortSignal): Promise<OpenAIProvider> {
    const url = await this.engine.url(signal);
    if (this.upstream?.url !== url) {
      const { name, transport } = this.opts;
      this.upstream = { url, provider: new OpenAIProvider({ name, baseUrl: url, headers: {}, limits: LIMITS, locality: this.locality }, transport) };
    }
    return this.upstream.provider;
  }

  async close(): Promise<void> {
    await this.engine.close();
  }
}

/** scripts/whisper-server/server.py, found upward from this module (sources and the dist bundle). */
function serverScript(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "scripts", "whisper-server", "server.py");
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new Error("scripts/whisper-server/server.py not found above " + fileURLToPath(import.meta.url));
    dir = up;
  }
}

function wavConfig(config: TranscribeConfig): TranscribeConfig {
  return create(TranscribeConfigSchema, { ...config, encoding: AudioEncoding.WAV, sampleRateHz: ENGINE_RATE_HZ, channels: 1 });
}

/** Samples [from, to) of the 16 kHz mono parts as a WAV file. */
function wavOf(parts: Int16Array[], from: number, to: number): Buffer {
  const out = new Int16Array(Math.max(0, to - from));
  let at = 0;
  let written = 0;
  for (const part of parts) {
    const start = Math.max(from - at, 0);
    const end = Math.min(to - at, part.length);
    if (end > start) {
      out.set(part.subarray(start, end), written);
      written += end - start;
    }
    at += part.length;
    if (at >= to) break;
  }
  return wrapPcm16(new Uint8Array(out.buffer), ENGINE_RATE_HZ, 1);
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}
