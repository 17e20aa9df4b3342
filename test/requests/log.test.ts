// RequestLog (core/requests/log.ts) over a store that can fail: records wait in the buffer and are
// written once the store is back (none lost, none twice); past maxBuffered the oldest are dropped and
// counted, never blocking write(); prune() applies the retention. And the OTLP export: each written
// batch reaches a real collector on a loopback port as OTLP/HTTP JSON logs. And the Redactor.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { RequestLog } from "../../server/core/requests/log.js";
import type { RequestRecord } from "../../server/core/requests/record.js";
import { Redactor } from "../../server/core/requests/redact.js";
import { OtlpLogExporter } from "../../server/observability/otlp-logs.js";
import { MemoryRequestLog } from "../../server/store/memory/request-log.js";
import { record, T0 } from "./log-store-contract.js";

/** A memory store that refuses appends while `down`. */
class FlakyStore extends MemoryRequestLog {
  down = false;
  appends = 0;
  override async append(records: readonly RequestRecord[]): Promise<void> {
    if (this.down) throw new Error("store down");
    this.appends++;
    return super.append(records);
  }
}

const ids = async (store: MemoryRequestLog) => (await store.list({ limit: 10_000 })).records.map((r) => r.requestId).reverse();

describe("RequestLog", () => {
  it("keeps records while the store is down and writes each exactly once when it is back", async () => {
    const store = new FlakyStore();
    const warnings: string[] = [];
    const log = new RequestLog({ store, retentionMs: 1e9, maxRows: 1e9, flushMs: 5, log: (_l, msg) => warnings.push(msg) });
    store.down = true;
    for (let i = 0; i < 20; i++) log.write(record(i));
    await log.flush();
    expect(await ids(store)).toEqual([]);
    expect(warnings.some((w) => w.includes("stay buffered"))).toBe(true);
    store.down = false;
    await log.flush();
    expect(await ids(store)).toEqual(Array.from({ length: 20 }, (_, i) => `r${i}`));
    await log.close();
    expect(await ids(store)).toHaveLength(20);
  });

  it("drops the oldest past maxBuffered (counted and logged), never blocking write()", async () => {
    const store = new FlakyStore();
    const warnings: [string, Record<string, unknown> | undefined][] = [];
    const log = new RequestLog({ store, retentionMs: 1e9, maxRows: 1e9, maxBuffered: 10, log: (_l, msg, f) => warnings.push([msg, f]) });
    store.down = true;
    for (let i = 0; i < 25; i++) log.write(record(i));
    store.down = false;
    await log.flush();
    expect(await ids(store)).toEqual(Array.from({ length: 10 }, (_, i) => `r${15 + i}`));
    expect(warnings.find(([m]) => m.includes("dropped"))?.[1]).toEqual({ dropped: 15 });
    await log.close();
  });

  it("prune() drops what is older than the retention and beyond max rows", async () => {
    const store = new MemoryRequestLog();
    const log = new RequestLog({ store, retentionMs: 5, maxRows: 4, now: () => T0 + 7 });
    for (let i = 0; i < 12; i++) log.write(record(i)); // times T0 .. T0+3
    await log.flush();
    // Older than T0+2 (r0..r5) go, then the oldest beyond 4 rows.
    expect(await log.prune()).toBe(8);
    expect(await ids(store)).toEqual(["r8", "r9", "r10", "r11"]);
    await log.close();
  });

  it("tail() follows new records passing its filter until aborted", async () => {
    const log = new RequestLog({ store: new MemoryRequestLog(), retentionMs: 1e9, maxRows: 1e9 });
    const abort = new AbortController();
    const got: string[] = [];
    const following = (async () => {
      for await (const r of log.tail({ keyId: "k-odd" }, abort.signal)) {
        got.push(r.requestId);
        if (got.length === 3) abort.abort();
      }
    })();
    await Promise.resolve();
    for (let i = 0; i < 8; i++) log.write(record(i));
    await following;
    expect(got).toEqual(["r1", "r3", "r5"]);
    await log.close();
  });

  it("list() includes records written a moment ago, before the batch timer flushed them", async () => {
    const log = new RequestLog({ store: new MemoryRequestLog(), retentionMs: 1e9, maxRows: 1e9, flushMs: 60_000 });
    log.write(record(1));
    log.write(record(2));
    expect((await log.list({ limit: 10 })).records.map((r) => r.requestId)).toEqual(["r2", "r1"]);
    await log.close();
  });

  it("tail() listens from the call, before the first read (what TailRequests' ready message promises)", async () => {
    const log = new RequestLog({ store: new MemoryRequestLog(), retentionMs: 1e9, maxRows: 1e9 });
    const abort = new AbortController();
    const records = log.tail({}, abort.signal);
    log.write(record(1)); // written before anyone reads
    const first = await records.next();
    expect(first.done ? undefined : first.value.requestId).toBe("r1");
    abort.abort();
    expect((await records.next()).done).toBe(true);
    await log.close();
  });
});

describe("OTLP logs export", () => {
  let collector: Server;
  let url: string;
  const posts: { path: string; body: any }[] = [];

  beforeAll(async () => {
    collector = createServer((req, res) => {
      let text = "";
      req.setEncoding("utf8").on("data", (d: string) => (text += d));
      req.on("end", () => {
        posts.push({ path: req.url ?? "", body: JSON.parse(text) });
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((r) => collector.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => collector.close(() => r())));

  it("each written batch is one OTLP/HTTP JSON POST to <endpoint>/v1/logs", async () => {
    const exporter = new OtlpLogExporter(url);
    const log = new RequestLog({ store: new MemoryRequestLog(), retentionMs: 1e9, maxRows: 1e9, exporters: [exporter.export] });
    log.write(record(1, { team: "blue", status: "UNAVAILABLE", error: "upstream down" }));
    log.write(record(2));
    await log.flush();
    await vi.waitFor(() => expect(posts).toHaveLength(1));
    expect(posts[0]!.path).toBe("/v1/logs");
    const records = posts[0]!.body.resourceLogs[0].scopeLogs[0].logRecords;
    expect(records).toHaveLength(2);
    const attrs = Object.fromEntries(records[0].attributes.map((a: any) => [a.key, Object.values(a.value)[0]]));
    expect(attrs).toMatchObject({ "hoosh.request_id": "r1", "hoosh.team": "blue", "hoosh.status": "UNAVAILABLE", "error.message": "upstream down", "gen_ai.request.model": "m-other" });
    expect(records[0].severityText).toBe("WARN");
    expect(records[0].timeUnixNano).toBe(`${BigInt(T0) * 1_000_000n}`);
    await log.close();
  });
});

describe("Redactor", () => {
  it("replaces built-in secrets and configured patterns, and cuts long text", () => {
    const r = new Redactor(["acct-[0-9]+"], 60);
    expect(r.redact("key sk-abcdefghijklmnopqrstu, acct-42, Bearer abc.def-ghi")).toBe("key [REDACTED], [REDACTED], [REDACTED]");
    expect(r.redact("x".repeat(100))).toBe(`${"x".repeat(60)}…(100 chars)`);
  });
});

describe("MCP tool calls in the request log", () => {
  it("a tool call becomes a record: the tool as model, its server as provider, arguments only with payloads (redacted)", async () => {
    const { toolRequestRecord } = await import("../../server/mcp/record.js");
    const call = {
      kind: "tool_call" as const,
      started_at: new Date(T0).toISOString(),
      request_id: "req-1",
      edge: "mcp",
      key: "k-1",
      server: "web",
      tool: "web.fetch",
      server_tool: "fetch",
      duration_ms: 12.5,
      outcome: "error" as const,
      code: "unavailable",
      error: "server gone",
      arguments_bytes: 30,
      arguments: { url: "https://x", token: "sk-abcdefghijklmnopqrstuvwx" },
    };
    const off = toolRequestRecord(call, { write: () => {} });
    expect(off).toMatchObject({ time: T0, requestId: "req-1", keyId: "k-1", edge: "mcp", operation: "tool_call", model: "web.fetch", provider: "web", status: "UNAVAILABLE", error: "server gone", latencyMs: 12.5 });
    expect(off.prompt).toBeUndefined();
    const on = toolRequestRecord(call, { write: () => {}, payloads: new Redactor([], 1000) });
    expect(on.prompt).toContain("https://x");
    expect(on.prompt).not.toContain("sk-abcdefghijklmnopqrstuvwx");
    expect(toolRequestRecord({ ...call, outcome: "ok", code: undefined, error: undefined }, { write: () => {} }).status).toBe("OK");
  });
});
