// A request naming 300,000 fallback models (a 2.9 MB body) is one INVALID_ARGUMENT while other
// requests keep being served: routing hints are bounded before anything iterates them
// (auth/authorize.ts with keys, core/validate.ts without), and the router never sees the list.
// Wall-clock time on a shared 2-core machine is printed, not asserted: what is asserted is the
// CPU time hoosh spent meanwhile (from /proc, independent of how busy the machine is), which
// bounds how long its event loop can have been blocked. The bug spent ~4 s of it (300,000
// ConnectErrors with stacks); now it is decoding the 2.9 MB message (JSON.parse + fromJson, or
// fromBinary: 0.3-0.4 s of CPU here) and one length check. The bodies are encoded before the
// clock starts, so the test process (which sends the concurrent requests) is not blocked.
import { create, toBinary } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { GenerateRequestSchema, InferenceService } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/spawn.js";
import { fakeProviderConfig } from "../harness/hoosh.js";
import { cpuSeconds } from "../../bench/overhead/proc.js";
import { KEYS, serveWith, withKeys, type Served } from "./helpers.js";

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

/** CPU hoosh may spend on the whole exchange: well under the ~4 s the bug took. */
const CPU_BUDGET_MS = 2_000;
const FALLBACKS = Array.from({ length: 300_000 }, (_, i) => `m${i}`);

let fake: FakeOpenAI;
let keyed: Served;
let open: Served;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  // allSettled: if one server fails to start, the other is still stopped in afterAll.
  const [a, b] = await Promise.allSettled([serveWith(withKeys(fake.baseUrl)), serveWith(fakeProviderConfig(fake.baseUrl))]);
  if (a.status === "fulfilled") keyed = a.value;
  if (b.status === "fulfilled") open = b.value;
  for (const r of [a, b]) if (r.status === "rejected") throw r.reason;
});
afterAll(async () => {
  await keyed?.stop();
  await open?.stop();
  await fake?.stop();
});

const messages = [{ role: Role.USER, content: [{ part: { case: "text" as const, value: "hi" } }] }];

/**
 * Runs `big` while GET /metrics and a small Generate are sent back to back; returns the wall
 * time of `big`, the slowest concurrent request, how many were answered, and the CPU time the
 * hoosh process `pid` used meanwhile.
 */
async function alongside(url: string, pid: number, headers: Record<string, string>, big: () => Promise<unknown>): Promise<{ bigMs: number; worstMs: number; served: number; generated: number; cpuMs: number }> {
  let running = true;
  let worstMs = 0;
  let served = 0;
  let generated = 0;
  const sessions = new Http2SessionManager(url);
  const client = createClient(InferenceService, createGrpcTransport({ baseUrl: url, sessionManager: sessions }));
  const timed = async (f: () => Promise<void>) => {
    while (running) {
      const start = performance.now();
      await f();
      worstMs = Math.max(worstMs, performance.now() - start);
    }
  };
  const metrics = timed(async () => {
    const res = await fetch(`${url}/metrics`, { headers });
    await res.arrayBuffer();
    if (res.status === 200) served++;
  });
  const generate = timed(async () => {
    const res = await client.generate({ model: "gpt-4o-mini", messages }, { headers });
    if (res.message) generated++;
  });
  const cpuBefore = (await cpuSeconds(pid))!;
  const start = performance.now();
  await big().finally(() => (running = false));
  const bigMs = performance.now() - start;
  const cpuMs = ((await cpuSeconds(pid))! - cpuBefore) * 1000;
  await Promise.all([metrics, generate]);
  sessions.abort();
  return { bigMs, worstMs, served, generated, cpuMs };
}

const BODIES = {
  json: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "ROLE_USER", content: [{ text: "hi" }] }], routing: { fallbackModels: FALLBACKS } }),
  proto: toBinary(GenerateRequestSchema, create(GenerateRequestSchema, { model: "gpt-4o-mini", messages, routing: { fallbackModels: FALLBACKS } })),
};

/** The Connect protocol over HTTP/1.1, JSON or binary protobuf (the gRPC path decodes the same bytes). */
async function connectCall(url: string, headers: Record<string, string>, encoding: "json" | "proto"): Promise<{ status: number; body: { code?: string; message?: string } }> {
  const res = await fetch(`${url}/hoosh.v1.InferenceService/Generate`, {
    method: "POST",
    headers: { ...headers, "content-type": `application/${encoding}` },
    body: BODIES[encoding],
  });
  return { status: res.status, body: (await res.json()) as { code?: string; message?: string } };
}

const cases = [
  { name: "with keys (the auth layer bounds it)", server: () => keyed.server, headers: { authorization: `Bearer ${KEYS.app}` } },
  { name: "without keys (validation bounds it)", server: () => open.server, headers: {} as Record<string, string> },
];

describe("300,000 fallback models", () => {
  it("the bodies are the issue's size", () => {
    expect(BODIES.json.length).toBeGreaterThan(2_800_000);
    expect(BODIES.proto.length).toBeGreaterThan(2_500_000);
  });

  const encodings = ["json", "proto"] as const;
  for (const encoding of encodings) {
    it.each(cases)(`Connect ${encoding}, $name: INVALID_ARGUMENT, concurrent requests unaffected`, async ({ server, headers }) => {
      const { url, pid } = server();
      let answer: Awaited<ReturnType<typeof connectCall>> | undefined;
      const m = await alongside(url, pid, headers, async () => (answer = await connectCall(url, headers, encoding)));
      console.log(
        `300,000 fallbacks, Connect ${encoding}: answered in ${m.bigMs.toFixed(0)} ms using ${m.cpuMs.toFixed(0)} ms of hoosh CPU; ` +
          `meanwhile ${m.served} /metrics + ${m.generated} Generate answered, the slowest in ${m.worstMs.toFixed(0)} ms`,
      );
      expect(answer!.status).toBe(400);
      // Field errors also carry google.rpc.BadRequest details naming the field.
      expect(answer!.body).toMatchObject({ code: "invalid_argument", message: "routing.fallback_models: has 300000 models; at most 8 are allowed" });
      expect(JSON.stringify(answer!.body)).toContain("google.rpc.BadRequest");
      // The concurrent requests were answered (none failed, none hung).
      expect(m.served).toBeGreaterThan(0);
      expect(m.generated).toBeGreaterThan(0);
      expect(m.cpuMs).toBeLessThan(CPU_BUDGET_MS);
    });
  }
});
