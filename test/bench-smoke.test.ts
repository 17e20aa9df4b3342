// Smoke test of the benchmark harness (bench/): the mock upstream and the
// overhead runner's core for (a) direct and (b) hoosh REST with a tiny load.
// Needs neither Portkey, LiteLLM nor ghz. Not a performance assertion.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockUpstream, type MockUpstream } from "../bench/mock-upstream/spawn.js";
import { overheadMarkdown } from "../bench/overhead/report.js";
import { runOverhead } from "../bench/overhead/run.js";

describe("bench harness smoke", () => {
  let mock: MockUpstream;
  beforeAll(async () => {
    mock = await startMockUpstream({ latencyMs: 1, chunks: 4 });
  });
  afterAll(async () => {
    await mock?.stop();
  });

  it("mock upstream answers chat (JSON and SSE) and models", async () => {
    const chat = await fetch(`${mock.baseUrl}/chat/completions`, { method: "POST", body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }) });
    expect(chat.status).toBe(200);
    expect(((await chat.json()) as { choices: unknown[] }).choices).toHaveLength(1);
    const sse = await fetch(`${mock.baseUrl}/chat/completions`, { method: "POST", body: JSON.stringify({ model: "m", stream: true, messages: [] }) });
    const text = await sse.text();
    expect(text.match(/"content":"[^"]/g)).toHaveLength(4);
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
    expect((await fetch(`${mock.baseUrl}/models`)).status).toBe(200);
  });

  it("runs direct and hoosh REST scenarios and renders a table with numbers", async () => {
    const result = await runOverhead({
      mock,
      scenarios: ["direct", "hoosh-rest"],
      loads: [{ label: "smoke", concurrency: 4, requests: 50, warmupMs: 200 }],
      stream: { concurrency: 4, streams: 8, warmupStreams: 2 },
    });
    expect(result.skipped).toEqual({});
    expect(result.rows.map((r) => r.scenario)).toEqual(["direct", "hoosh-rest"]);
    for (const row of result.rows) {
      expect(row.result.ok).toBe(50);
      expect(row.result.failed).toBe(0);
      expect(row.result.latency.p50).toBeGreaterThan(0);
      expect(row.result.latency.p99).toBeGreaterThanOrEqual(row.result.latency.p50);
    }
    expect(result.rows[1]!.peakRssMiB).toBeGreaterThan(0);
    expect(result.streamRows).toHaveLength(2);
    const md = overheadMarkdown(result);
    expect(md).toMatch(/\| \(a\) direct to mock \| smoke \| \d+ \| \d+\.\d+ \|/);
    expect(md).toMatch(/\| \(b\) hoosh REST \| smoke \| \d+ \| \d+\.\d+ \| \d+\.\d+ \| \d+\.\d+ \| [+-]\d+\.\d+ \|/);
  }, 20_000);
});
