// Routing that survives failure, through a real hoosh process: two providers
// serve the same models; one fails (HTTP 503, or nothing listening) and every
// call still succeeds through the other; the failing one's circuit breaker
// opens and shows in grpc.health and ModelsService; once its upstream
// recovers, background probes close the breaker and Health.Watch pushes it.
import net from "node:net";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../gen/ts/grpc/health/v1/health_pb.js";
import { Role } from "../gen/ts/hoosh/v1/chat_pb.js";
import { InferenceService } from "../gen/ts/hoosh/v1/inference_pb.js";
import { HealthState, ModelsService } from "../gen/ts/hoosh/v1/models_pb.js";
import { startFakeOpenAI, type FakeOpenAI } from "./fakes/spawn.js";
import { startHoosh, type Hoosh } from "./harness/hoosh.js";

const ask = (text: string) => ({ model: "gpt-4o-mini", messages: [{ role: Role.USER, content: [{ part: { case: "text" as const, value: text } }] }] });

function provider(name: string, baseUrl: string, priority: number, extra = "", resilience = "breaker = { failures = 3, cooldown_ms = 400 }\nprobe_interval_ms = 150"): string {
  return `
[[providers]]
name = "${name}"
type = "openai"
base_url = "${baseUrl}"
models = ["gpt-4o-mini", "gpt-*"]
priority = ${priority}
${resilience}
timeouts = { connect_ms = 500, first_byte_ms = 3000, idle_ms = 3000 }
${extra}`;
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let steady: FakeOpenAI;
beforeAll(async () => {
  steady = await startFakeOpenAI();
});
afterAll(async () => {
  await steady?.stop();
});

describe("a provider answering 503 before the first byte", () => {
  let failing: FakeOpenAI;
  let hoosh: Hoosh;
  beforeAll(async () => {
    failing = await startFakeOpenAI();
    const config =
      // No probes here: the failing upstream's model listing works, so a probe would close the breaker.
      provider("failing", failing.baseUrl, 1, 'headers = { "x-fake-force-status" = "503" }', "breaker = { failures = 3, cooldown_ms = 2000 }") +
      provider("steady", steady.baseUrl, 2);
    hoosh = await startHoosh(config);
  });
  afterAll(async () => {
    await hoosh?.stop();
    await failing?.stop();
  });

  it("100 of 100 calls succeed through the other provider, unary and streaming", async () => {
    const client = createClient(InferenceService, createGrpcTransport({ baseUrl: hoosh.url }));
    const served: string[] = [];
    for (let i = 0; i < 100; i++) {
      if (i % 2 === 0) {
        const res = await client.generate(ask(`call ${i}`));
        served.push(res.usage?.provider ?? "");
      } else {
        let provider = "";
        for await (const ev of client.generateStream(ask(`call ${i}`))) if (ev.event.case === "end") provider = ev.event.value.usage?.provider ?? "";
        served.push(provider);
      }
    }
    expect(served.filter((p) => p === "steady")).toHaveLength(100);
    // The breaker opened after 3 failures; each 2 s cooldown lets one half-open try through.
    const failedCalls = (await failing.events()).filter((e) => e.type === "request" && e.path === "/v1/chat/completions");
    expect(failedCalls.length).toBeGreaterThanOrEqual(3);
    expect(failedCalls.length).toBeLessThan(20);
  });
});

describe("a provider with nothing listening, which then recovers", () => {
  let port: number;
  let hoosh: Hoosh;
  let recovered: FakeOpenAI | undefined;
  beforeAll(async () => {
    port = await closedPort();
    hoosh = await startHoosh(provider("flaky", `http://127.0.0.1:${port}/v1`, 1) + provider("steady", steady.baseUrl, 2));
  });
  afterAll(async () => {
    await hoosh?.stop();
    await recovered?.stop();
  });

  it("fails over, shows the open breaker, and closes it when the upstream is back", async () => {
    const transport = createGrpcTransport({ baseUrl: hoosh.url });
    const inference = createClient(InferenceService, transport);
    const health = createClient(Health, transport);
    const models = createClient(ModelsService, transport);

    for (let i = 0; i < 100; i++) expect((await inference.generate(ask(`n${i}`))).usage?.provider).toBe("steady");

    expect((await health.check({ service: "hoosh.provider.flaky" })).status).toBe(Status.NOT_SERVING);
    expect((await health.check({ service: "hoosh.provider.steady" })).status).toBe(Status.SERVING);
    expect((await health.check({ service: "hoosh.v1.InferenceService" })).status).toBe(Status.SERVING);
    const listed = (await models.listModels({})).models.find((m) => m.provider === "flaky" && m.id === "gpt-4o-mini");
    expect(listed?.health).toBe(HealthState.UNHEALTHY);
    expect(listed?.healthReason).toContain("circuit open");

    // Watch pushes the change when the upstream comes back and a probe succeeds.
    const watch = new AbortController();
    const seen: Status[] = [];
    const watching = (async () => {
      for await (const res of health.watch({ service: "hoosh.provider.flaky" }, { signal: watch.signal })) {
        seen.push(res.status);
        if (res.status === Status.SERVING) return;
      }
    })();
    recovered = await startFakeOpenAI({ port });
    await Promise.race([watching, new Promise((_, reject) => setTimeout(() => reject(new Error(`no SERVING pushed; saw ${seen}`)), 5_000))]);
    watch.abort();
    expect(seen[0]).toBe(Status.NOT_SERVING);
    expect(seen.at(-1)).toBe(Status.SERVING);

    // Priority 1 again: the recovered provider serves.
    expect((await inference.generate(ask("back"))).usage?.provider).toBe("flaky");
  });
});
