// OTLP span export: hoosh with otlp_endpoint pointing at a loopback receiver sends one server span
// per request and one client span per upstream attempt, with the GenAI attributes; the upstream
// gets the attempt span's traceparent.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { startFakeOpenAI, type FakeOpenAI, type FakeRequestEvent } from "../fakes/spawn.js";
import { chat, eventually, rpc, serveWith, type Served } from "./helpers.js";

vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: Record<string, unknown> }[];
}

let fake: FakeOpenAI;
let hoosh: Served;
let receiver: Server;
const spans: OtlpSpan[] = [];
const paths: string[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (d: string) => (body += d));
    req.on("end", () => {
      paths.push(`${req.method} ${req.url} ${req.headers["content-type"]}`);
      const doc = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
      for (const rs of doc.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  const port = (receiver.address() as AddressInfo).port;
  fake = await startFakeOpenAI();
  hoosh = await serveWith(fake.baseUrl, `\n[observability]\notlp_endpoint = "http://127.0.0.1:${port}"\n`);
});

afterAll(async () => {
  await hoosh?.close();
  await fake?.stop();
  await new Promise((r) => receiver?.close(r));
});

const attr = (s: OtlpSpan, key: string) => {
  const v = s.attributes.find((a) => a.key === key)?.value;
  return v && (v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : undefined));
};

it("exports a request span and an upstream attempt span with GenAI attributes", async () => {
  const caller = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7" };
  const res = await rpc(hoosh.url, "Generate", chat("m-otlp", "hello"), { "x-request-id": "req-otlp", traceparent: `00-${caller.traceId}-${caller.spanId}-01` });
  expect(res.status).toBe(200);
  const usage = res.body.usage as { inputTokens: number; outputTokens: number };

  const [server, client] = await eventually(async () => {
    const s = spans.find((x) => x.kind === 2 && attr(x, "hoosh.request_id") === "req-otlp");
    const c = s && spans.find((x) => x.kind === 3 && x.parentSpanId === s.spanId);
    return s && c ? [s, c] : undefined;
  }, 10_000);
  expect(paths[0]).toMatch(/^POST \/v1\/traces application\/json/);
  // The request span continues the caller's trace.
  expect(server.traceId).toBe(caller.traceId);
  expect(server.parentSpanId).toBe(caller.spanId);
  expect(server.name).toBe("chat m-otlp");
  expect(attr(server, "gen_ai.operation.name")).toBe("chat");
  expect(attr(server, "gen_ai.request.model")).toBe("m-otlp");
  expect(attr(server, "gen_ai.provider.name")).toBe("fake");
  expect(attr(server, "gen_ai.usage.input_tokens")).toBe(usage.inputTokens);
  expect(attr(server, "gen_ai.usage.output_tokens")).toBe(usage.outputTokens);
  expect(attr(client, "gen_ai.provider.name")).toBe("fake");
  expect(attr(client, "gen_ai.request.model")).toBe("m-otlp");

  // The upstream saw the attempt span as its parent.
  const events = (await fake.events()).filter((e): e is FakeRequestEvent => e.type === "request");
  const upstream = events.find((e) => e.headers["x-request-id"] === "req-otlp")!;
  expect(upstream.headers.traceparent).toBe(`00-${caller.traceId}-${client.spanId}-01`);
});

it("starts a new trace for a request without traceparent", async () => {
  expect((await rpc(hoosh.url, "Generate", chat("m-otlp", "hi"), { "x-request-id": "req-otlp-2" })).status).toBe(200);
  const server = await eventually(async () => spans.find((x) => x.kind === 2 && attr(x, "hoosh.request_id") === "req-otlp-2"), 10_000);
  expect(server.parentSpanId ?? "").toBe("");
  expect(server.traceId).toMatch(/^[0-9a-f]{32}$/);
});
