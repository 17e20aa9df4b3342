// Streaming client: N streams at fixed concurrency; per stream the time to the
// first content token and the mean gap between content chunks. HTTP/SSE over
// undici for OpenAI-style endpoints, Connect gRPC for hoosh's GenerateStream.
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Pool } from "undici";
import { Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { InferenceService } from "../../gen/ts/hoosh/v1/inference_pb.js";
import type { HttpTarget } from "./load.js";
import { summarize, type LatencySummary } from "./stats.js";

export interface StreamSpec {
  concurrency: number;
  streams: number;
  warmupStreams: number;
}

export interface StreamResult {
  ttft: LatencySummary;
  /** Mean gap between content chunks within a stream, summarized over streams (ms). */
  gap: LatencySummary;
  /** Content chunks per stream (median). */
  chunks: number;
  failed: number;
  firstError?: string;
}

interface Sample { ttft: number; gap: number; chunks: number }

async function pool(n: number, concurrency: number, one: () => Promise<Sample>) {
  const samples: Sample[] = [];
  let failed = 0;
  let firstError: string | undefined;
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next++ < n) {
      try { samples.push(await one()); } catch (e) { failed++; firstError ??= (e as Error).message; }
    }
  }));
  return { samples, failed, firstError };
}

function finish(r: Awaited<ReturnType<typeof pool>>): StreamResult {
  const chunks = summarize(r.samples.map((s) => s.chunks)).p50;
  return { ttft: summarize(r.samples.map((s) => s.ttft)), gap: summarize(r.samples.map((s) => s.gap)), chunks, failed: r.failed, ...(r.firstError ? { firstError: r.firstError } : {}) };
}

/** Content-bearing SSE events in `text` (OpenAI chunk JSON with a non-empty "content"). */
function contentEvents(text: string): number {
  let n = 0;
  for (let i = text.indexOf('"content":"'); i >= 0; i = text.indexOf('"content":"', i + 11)) if (text[i + 11] !== '"') n++;
  return n;
}

export async function runHttpStreams(t: HttpTarget, spec: StreamSpec): Promise<StreamResult> {
  const p = new Pool(t.origin, { connections: spec.concurrency });
  const body = t.body;
  const one = async (): Promise<Sample> => {
    const t0 = performance.now();
    const res = await p.request({ method: "POST", path: t.path, headers: t.headers, body });
    if (res.statusCode !== 200) { await res.body.arrayBuffer(); throw new Error(`HTTP ${res.statusCode}`); }
    let first = 0, last = 0, chunks = 0, carry = "";
    for await (const buf of res.body) {
      const text = carry + buf.toString("utf8");
      const cut = text.lastIndexOf("\n\n");
      const complete = cut >= 0 ? text.slice(0, cut) : "";
      carry = cut >= 0 ? text.slice(cut + 2) : text;
      const n = contentEvents(complete);
      if (n > 0) { const now = performance.now(); if (!first) first = now; last = now; chunks += n; }
    }
    if (!chunks) throw new Error("stream had no content chunks");
    return { ttft: first - t0, gap: chunks > 1 ? (last - first) / (chunks - 1) : 0, chunks };
  };
  try {
    await pool(spec.warmupStreams, spec.concurrency, one);
    return finish(await pool(spec.streams, spec.concurrency, one));
  } finally {
    await p.close();
  }
}

export async function runGrpcStreams(url: string, prompt: string, spec: StreamSpec): Promise<StreamResult> {
  const client = createClient(InferenceService, createGrpcTransport({ baseUrl: url }));
  const req = { model: "bench", messages: [{ role: Role.USER, content: [{ part: { case: "text" as const, value: prompt } }] }] };
  const one = async (): Promise<Sample> => {
    const t0 = performance.now();
    let first = 0, last = 0, chunks = 0;
    for await (const ev of client.generateStream(req, { timeoutMs: 10_000 })) {
      if (ev.event.case === "text") { const now = performance.now(); if (!first) first = now; last = now; chunks++; }
    }
    if (!chunks) throw new Error("stream had no text events");
    return { ttft: first - t0, gap: chunks > 1 ? (last - first) / (chunks - 1) : 0, chunks };
  };
  await pool(spec.warmupStreams, spec.concurrency, one);
  return finish(await pool(spec.streams, spec.concurrency, one));
}
