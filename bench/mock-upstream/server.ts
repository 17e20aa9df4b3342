// A fast OpenAI-compatible upstream for load tests: every response body is
// computed once at startup, so a request costs little more than reading its
// body and writing bytes. Latency, streaming pace, failures and reply size come
// from options (flags in main.ts). Not a fake for behaviour tests: see test/fakes.
import { createServer, type Server, type ServerResponse } from "node:http";

export interface MockUpstreamOptions {
  /** Base delay before the first byte (ms). */
  latencyMs: number;
  /** Uniform jitter added to latencyMs, in [-jitter, +jitter] (ms, result clamped at 0). */
  latencyJitterMs: number;
  /** Content chunks per streamed reply. */
  chunks: number;
  /** Delay between streamed chunks (ms); 0 writes them back to back. */
  chunkIntervalMs: number;
  /** Fraction of chat calls answered 500 (0..1). */
  errorRate: number;
  /** Fraction of chat calls answered 429 with retry-after (0..1). */
  rateLimitRate: number;
  /** Size of the assistant reply text (bytes, ASCII). */
  replyBytes: number;
  /** Random source (tests can fix it). */
  random?: () => number;
}

export const DEFAULT_MOCK_OPTIONS: MockUpstreamOptions = {
  latencyMs: 0,
  latencyJitterMs: 0,
  chunks: 20,
  chunkIntervalMs: 0,
  errorRate: 0,
  rateLimitRate: 0,
  replyBytes: 256,
};

const MODEL = "bench-model";
const CREATED = Math.floor(Date.now() / 1000);

function replyText(bytes: number): string {
  const words = "the quick brown fox jumps over the lazy dog ";
  return words.repeat(Math.ceil(bytes / words.length) + 1).slice(0, Math.max(1, bytes));
}

interface Precomputed {
  completion: Buffer;
  streamHead: Buffer;
  streamChunks: Buffer[];
  streamTail: Buffer;
  streamUsage: Buffer;
  done: Buffer;
  models: Buffer;
  error500: Buffer;
  error429: Buffer;
}

function precompute(o: MockUpstreamOptions): Precomputed {
  const text = replyText(o.replyBytes);
  const chunks = Math.max(1, o.chunks);
  const usage = { prompt_tokens: 12, completion_tokens: chunks, total_tokens: 12 + chunks };
  const head = { id: "chatcmpl-bench", created: CREATED, model: MODEL, system_fingerprint: "fp_bench" };
  const completion = {
    ...head,
    object: "chat.completion",
    choices: [{ index: 0, message: { role: "assistant", content: text, refusal: null }, logprobs: null, finish_reason: "stop" }],
    usage,
  };
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    Buffer.from(`data: ${JSON.stringify({ ...head, object: "chat.completion.chunk", choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`);
  const per = Math.ceil(text.length / chunks);
  const pieces = Array.from({ length: chunks }, (_, i) => text.slice(i * per, (i + 1) * per) || " ");
  const err = (message: string, type: string, code: string) => Buffer.from(JSON.stringify({ error: { message, type, param: null, code } }));
  return {
    completion: Buffer.from(JSON.stringify(completion)),
    streamHead: chunk({ role: "assistant", content: "" }),
    streamChunks: pieces.map((p) => chunk({ content: p })),
    streamTail: chunk({}, "stop"),
    streamUsage: Buffer.from(`data: ${JSON.stringify({ ...head, object: "chat.completion.chunk", choices: [], usage })}\n\n`),
    done: Buffer.from("data: [DONE]\n\n"),
    models: Buffer.from(JSON.stringify({ object: "list", data: [{ id: MODEL, object: "model", created: CREATED, owned_by: "bench" }, { id: "bench", object: "model", created: CREATED, owned_by: "bench" }] })),
    error500: err("mock upstream: injected server error", "server_error", "server_error"),
    error429: err("mock upstream: injected rate limit", "rate_limit_exceeded", "rate_limit_exceeded"),
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function createMockUpstream(options: Partial<MockUpstreamOptions> = {}): Server {
  const o: MockUpstreamOptions = { ...DEFAULT_MOCK_OPTIONS, ...options };
  const random = o.random ?? Math.random;
  const pre = precompute(o);
  const jsonHeaders = (len: number) => ({ "content-type": "application/json", "content-length": String(len) });
  const delay = () => Math.max(0, o.latencyMs + (o.latencyJitterMs > 0 ? (random() * 2 - 1) * o.latencyJitterMs : 0));

  async function chat(res: ServerResponse, body: Buffer): Promise<void> {
    // Only stream flags matter; JSON.parse of a small body is cheaper than being wrong about spacing.
    let parsed: { stream?: unknown; stream_options?: { include_usage?: unknown } } = {};
    try {
      parsed = JSON.parse(body.toString("utf8")) as typeof parsed;
    } catch {
      res.writeHead(400, jsonHeaders(0)).end();
      return;
    }
    const roll = random();
    const wait = delay();
    if (wait > 0) await sleep(wait);
    if (res.destroyed) return; // client went away (req is auto-destroyed after its body ends)
    if (roll < o.rateLimitRate) {
      res.writeHead(429, { ...jsonHeaders(pre.error429.length), "retry-after": "1" }).end(pre.error429);
      return;
    }
    if (roll < o.rateLimitRate + o.errorRate) {
      res.writeHead(500, jsonHeaders(pre.error500.length)).end(pre.error500);
      return;
    }
    if (parsed.stream !== true) {
      res.writeHead(200, jsonHeaders(pre.completion.length)).end(pre.completion);
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
    res.write(pre.streamHead);
    for (const c of pre.streamChunks) {
      if (o.chunkIntervalMs > 0) await sleep(o.chunkIntervalMs);
      if (res.destroyed) return;
      res.write(c);
    }
    res.write(pre.streamTail);
    if (parsed.stream_options?.include_usage === true) res.write(pre.streamUsage);
    res.end(pre.done);
  }

  return createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (d: Buffer) => parts.push(d));
    req.on("end", () => {
      const path = req.url ?? "/";
      if (req.method === "POST" && (path === "/v1/chat/completions" || path === "/chat/completions")) {
        chat(res, parts.length === 1 ? parts[0]! : Buffer.concat(parts)).catch(() => res.destroy());
      } else if (req.method === "GET" && (path === "/v1/models" || path === "/models")) {
        res.writeHead(200, jsonHeaders(pre.models.length)).end(pre.models);
      } else if (path === "/health") {
        res.writeHead(200).end("ok");
      } else {
        res.writeHead(404, jsonHeaders(0)).end();
      }
    });
  });
}
