// Shared setup for the Transcribe tests: generated audio, and a real stack
// (Transcription + OpenAIProvider over a pooled Transport, aimed at the fake
// upstream process) served by a Connect router in memory or over HTTP/2.
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { createClient, createRouterTransport, type Client } from "@connectrpc/connect";
import { connectNodeAdapter, createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { Locality } from "../../gen/ts/hoosh/v1/models_pb.js";
import { TranscribeService, type TranscribeConfigSchema } from "../../gen/ts/hoosh/v1/transcribe_pb.js";
import { wrapPcm16 } from "../../server/audio/wav.js";
import { LatencyTracker } from "../../server/core/latency.js";
import { Router, type Route } from "../../server/core/router.js";
import { Transcription, type TranscriptionLimits } from "../../server/core/transcribe.js";
import { OpenAIProvider } from "../../server/providers/openai/client.js";
import type { Provider } from "../../server/providers/provider.js";
import { Transport } from "../../server/providers/transport.js";
import { createTranscribeService } from "../../server/rpc/transcribe.js";

export type ConfigInit = MessageInitShape<typeof TranscribeConfigSchema>;
export type TranscribeClient = Client<typeof TranscribeService>;

/** A 440 Hz tone as raw PCM16 LE (deterministic, so byte counts are known). */
export function tone(seconds: number, sampleRateHz = 16_000, channels = 1): Buffer {
  const frames = Math.round(seconds * sampleRateHz);
  const out = Buffer.alloc(frames * channels * 2);
  for (let i = 0; i < frames; i++) {
    const v = Math.round(Math.sin((2 * Math.PI * 440 * i) / sampleRateHz) * 8000);
    for (let c = 0; c < channels; c++) out.writeInt16LE(v, (i * channels + c) * 2);
  }
  return out;
}

export const toneWav = (seconds: number, sampleRateHz = 16_000, channels = 1) => wrapPcm16(tone(seconds, sampleRateHz, channels), sampleRateHz, channels);

/** Splits bytes into `n` near-equal chunks. */
export function chunks(bytes: Uint8Array, n: number): Uint8Array[] {
  const size = Math.ceil(bytes.length / n);
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}

/** The request stream a client sends: config, then audio chunks. */
export async function* requests(config: ConfigInit, ...audio: Uint8Array[]) {
  yield { payload: { case: "config" as const, value: config } };
  for (const value of audio) yield { payload: { case: "audio" as const, value } };
}

export const LIMITS = { connectMs: 2_000, firstByteMs: 30_000, idleMs: 30_000, maxConnections: 4 };

export function openai(name: string, baseUrl: string, transport: Transport): OpenAIProvider {
  return new OpenAIProvider({ name, baseUrl, headers: {}, limits: LIMITS, locality: Locality.LOCAL }, transport);
}

export interface StackOptions {
  /** Providers in priority order (all serve every model); default: one OpenAIProvider at baseUrl. */
  providers?: (transport: Transport) => Provider[];
  limits?: Partial<TranscriptionLimits>;
  requestTimeoutMs?: number;
}

export interface Stack {
  transport: Transport;
  transcription: Transcription;
  /** Client over an in-memory Connect router. */
  client: TranscribeClient;
  close(): Promise<void>;
}

export function buildStack(baseUrl: string, opts: StackOptions = {}): Stack {
  const transport = new Transport();
  const providers = opts.providers?.(transport) ?? [openai("fake", baseUrl, transport)];
  const routes: Route[] = providers.map((provider, priority) => ({ provider, models: ["*"], priority, weight: 1 }));
  const transcription = new Transcription(new Router(routes, "priority", new LatencyTracker()), opts.limits);
  const service = createTranscribeService(transcription, opts.requestTimeoutMs ?? 30_000);
  const client = createClient(TranscribeService, createRouterTransport((router) => router.service(TranscribeService, service)));
  return { transport, transcription, client, close: () => transport.close() };
}

export interface WireServer {
  client: TranscribeClient;
  close(): Promise<void>;
}

/** The same service over a real HTTP/2 (h2c) socket, spoken to with the gRPC protocol. */
export async function serveOverGrpc(stack: Stack, requestTimeoutMs = 30_000): Promise<WireServer> {
  const service = createTranscribeService(stack.transcription, requestTimeoutMs);
  const server = http2.createServer(connectNodeAdapter({ routes: (router) => router.service(TranscribeService, service) }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sessions = new Http2SessionManager(baseUrl);
  const client = createClient(TranscribeService, createGrpcTransport({ baseUrl, sessionManager: sessions }));
  return {
    client,
    async close() {
      // Client sessions first: http2 server.close() waits for them.
      sessions.abort();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
