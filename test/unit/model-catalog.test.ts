// ModelCatalog: literal ids from patterns plus upstream listings, cached.
import net from "node:net";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Capability, HealthState, Locality } from "../../gen/ts/hoosh/v1/models_pb.js";
import { LatencyTracker } from "../../server/core/latency.js";
import { ModelCatalog } from "../../server/core/model-catalog.js";
import { ProviderHealth } from "../../server/core/provider-health.js";
import { Router, type Route } from "../../server/core/router.js";
import { OpenAIProvider } from "../../server/providers/openai/client.js";
import type { Provider } from "../../server/providers/provider.js";
import { Transport } from "../../server/providers/transport.js";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/spawn.js";
import { caught, expectError } from "./helpers.js";

let fake: FakeOpenAI;
let deadUrl: string;
const transport = new Transport();
const signal = () => new AbortController().signal;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  deadUrl = `http://127.0.0.1:${port}/v1`;
}, 20_000);

afterAll(async () => {
  await transport.close();
  await fake?.stop();
});

function openai(name: string, baseUrl: string, locality = Locality.LOCAL): OpenAIProvider {
  return new OpenAIProvider(
    { name, baseUrl, headers: {}, locality, limits: { connectMs: 2_000, firstByteMs: 5_000, idleMs: 5_000, maxConnections: 4 } },
    transport,
  );
}

/** An in-memory provider whose listing is scripted and counted. */
function listing(name: string, list: () => Promise<string[]>): Provider & { calls: number } {
  const p = {
    name,
    type: "test",
    locality: Locality.REMOTE,
    calls: 0,
    generate: () => Promise.reject(new Error("unused")),
    generateStream: () => {
      throw new Error("unused");
    },
    embed: () => Promise.reject(new Error("unused")),
    listModels: () => {
      p.calls++;
      return list();
    },
    close: async () => {},
  };
  return p;
}

function catalog(routes: Route[], opts: { health?: ProviderHealth; ttlMs?: number; now?: () => number } = {}) {
  const router = new Router(routes, "priority", new LatencyTracker());
  return new ModelCatalog(router, opts.health ?? new ProviderHealth(), opts.ttlMs, opts.now);
}

describe("list", () => {
  it("literal ids from patterns plus upstream ids filtered by the patterns", async () => {
    const c = catalog([{ provider: openai("live", fake.baseUrl), models: ["gpt-4o*", "o1", "text-embedding-3-small"], priority: 1, weight: 1 }]);
    const models = await c.list(signal());
    expect(models.map((m) => m.id)).toEqual(["gpt-4o", "gpt-4o-mini", "o1", "text-embedding-3-small"]);
    for (const m of models) {
      expect(m.provider).toBe("live");
      expect(m.providerType).toBe("openai");
      expect(m.locality).toBe(Locality.LOCAL);
      expect(m.health).toBe(HealthState.UNKNOWN);
      expect(m.healthReason).toBe("");
    }
    const byId = new Map(models.map((m) => [m.id, m]));
    expect(byId.get("text-embedding-3-small")?.capabilities).toEqual([Capability.EMBEDDINGS]);
    expect(byId.get("gpt-4o")?.capabilities).toEqual(expect.arrayContaining([Capability.CHAT, Capability.TOOLS, Capability.VISION]));
    // From data/models.json, not the id: o1 reasons; gpt-4o has its published window.
    expect(byId.get("o1")?.capabilities).toContain(Capability.REASONING);
    expect(byId.get("gpt-4o")?.contextWindow).toBe(128_000);
    expect(byId.get("gpt-4o")?.maxOutputTokens).toBe(16_384);
    expect(byId.get("gpt-4o")?.inputModalities).toEqual(["text", "image"]);
    expect(byId.get("text-embedding-3-small")?.outputModalities).toEqual(["embedding"]);
  });

  it("a speech engine's models are transcription models, whatever their id; unknown chat ids have no window", async () => {
    const engine = { ...listing("stt", async () => []), type: "pocketsphinx" };
    const c = catalog([
      { provider: engine, models: ["sphinx-en", "gpt-4o"], priority: 1, weight: 1 },
      { provider: listing("chat", async () => []), models: ["my-finetune"], priority: 2, weight: 1 },
    ]);
    const models = await c.list(signal());
    for (const m of models.filter((m) => m.provider === "stt")) {
      expect(m.capabilities).toEqual([Capability.TRANSCRIPTION]);
      expect(m.inputModalities).toEqual(["audio"]);
      expect(m.outputModalities).toEqual(["transcript"]);
    }
    const custom = models.find((m) => m.id === "my-finetune")!;
    expect(custom.capabilities).toEqual([Capability.CHAT, Capability.TOOLS, Capability.JSON_SCHEMA]);
    expect(custom.contextWindow).toBe(0);
  });

  it("a dead upstream gives healthReason 'model listing failed: ...' and still lists literal ids", async () => {
    const c = catalog([
      { provider: openai("live", fake.baseUrl), models: ["gpt-4o-mini"], priority: 1, weight: 1 },
      { provider: openai("dead", deadUrl), models: ["llama3.1:8b", "qwen*"], priority: 2, weight: 1 },
    ]);
    const models = await c.list(signal());
    expect(models.map((m) => `${m.id}@${m.provider}`)).toEqual(["gpt-4o-mini@live", "llama3.1:8b@dead"]);
    const dead = models.find((m) => m.provider === "dead")!;
    expect(dead.healthReason).toMatch(/^model listing failed: provider "dead" is unreachable/);
    expect(dead.health).toBe(HealthState.UNKNOWN);
    expect(models.find((m) => m.provider === "live")!.healthReason).toBe("");
  });

  it("sorts by id, then provider", async () => {
    const c = catalog([
      { provider: listing("b", async () => []), models: ["m1", "m2"], priority: 1, weight: 1 },
      { provider: listing("a", async () => ["m2"]), models: ["m*"], priority: 2, weight: 1 },
    ]);
    expect((await c.list(signal())).map((m) => `${m.id}@${m.provider}`)).toEqual(["m1@b", "m2@a", "m2@b"]);
  });

  it("traffic health wins over the listing error", async () => {
    const health = new ProviderHealth();
    health.failure("p", new ConnectError("upstream down", Code.Unavailable));
    const c = catalog([{ provider: listing("p", () => Promise.reject(new Error("nope"))), models: ["x"], priority: 1, weight: 1 }], { health });
    const [m] = await c.list(signal());
    expect(m?.health).toBe(HealthState.DEGRADED);
    expect(m?.healthReason).toBe("upstream down");
  });
});

describe("get", () => {
  const routes = (): Route[] => [
    { provider: openai("live", fake.baseUrl), models: ["gpt-*"], priority: 1, weight: 1 },
    { provider: openai("dead", deadUrl), models: ["gpt-*", "local-model"], priority: 2, weight: 1 },
  ];

  it("a listed id comes from the first matching provider", async () => {
    const m = await catalog(routes()).get("gpt-4o-mini", signal());
    expect(m.id).toBe("gpt-4o-mini");
    expect(m.provider).toBe("live");
  });

  it("a pattern-routed id the upstream does not list still returns a Model with that id", async () => {
    const m = await catalog(routes()).get("gpt-5-preview", signal());
    expect(m.id).toBe("gpt-5-preview");
    expect(m.provider).toBe("live");
    expect(m.capabilities).toContain(Capability.CHAT);
  });

  it("a literal id of a provider whose listing fails is still found", async () => {
    const m = await catalog(routes()).get("local-model", signal());
    expect(m.provider).toBe("dead");
    expect(m.healthReason).toMatch(/^model listing failed: /);
  });

  it("an unmatched id → NotFound", async () => {
    expectError(await caught(() => catalog(routes()).get("claude-3", signal())), Code.NotFound, 'no provider serves model "claude-3"');
  });
});

describe("listing cache", () => {
  it("reuses a good listing for the TTL, then refreshes", async () => {
    let now = 1_000;
    let ids = ["a1"];
    const p = listing("p", async () => ids);
    const c = catalog([{ provider: p, models: ["a*"], priority: 1, weight: 1 }], { ttlMs: 60_000, now: () => now });
    expect((await c.list(signal())).map((m) => m.id)).toEqual(["a1"]);
    ids = ["a1", "a2"];
    now += 59_999;
    expect((await c.list(signal())).map((m) => m.id)).toEqual(["a1"]);
    await c.get("a1", signal());
    expect(p.calls).toBe(1);
    now += 1;
    expect((await c.list(signal())).map((m) => m.id)).toEqual(["a1", "a2"]);
    expect(p.calls).toBe(2);
  });

  it("retries a failed listing after at most 5 s", async () => {
    let now = 0;
    let fail = true;
    const p = listing("p", () => (fail ? Promise.reject(new ConnectError("down", Code.Unavailable)) : Promise.resolve(["a9"])));
    const c = catalog([{ provider: p, models: ["a*", "lit"], priority: 1, weight: 1 }], { ttlMs: 60_000, now: () => now });
    const first = await c.list(signal());
    expect(first.map((m) => m.id)).toEqual(["lit"]);
    expect(first[0]?.healthReason).toBe("model listing failed: down");
    fail = false;
    now = 4_999;
    expect((await c.list(signal()))[0]?.healthReason).toBe("model listing failed: down");
    expect(p.calls).toBe(1);
    now = 5_000;
    const after = await c.list(signal());
    expect(after.map((m) => m.id)).toEqual(["a9", "lit"]);
    expect(after.every((m) => m.healthReason === "")).toBe(true);
    expect(p.calls).toBe(2);
  });

  it("a TTL shorter than 5 s also applies to failures", async () => {
    let now = 0;
    const p = listing("p", () => Promise.reject(new Error("down")));
    const c = catalog([{ provider: p, models: ["x"], priority: 1, weight: 1 }], { ttlMs: 1_000, now: () => now });
    await c.list(signal());
    now = 1_000;
    await c.list(signal());
    expect(p.calls).toBe(2);
  });
});

describe("shared listings", () => {
  it("concurrent callers share one upstream listing", async () => {
    const p = listing("shared", () => new Promise((resolve) => setTimeout(() => resolve(["m-1"]), 50)));
    const c = catalog([{ provider: p, models: ["m-*"], priority: 1, weight: 1 }]);
    const [a, b] = await Promise.all([c.list(signal()), c.list(signal())]);
    expect(p.calls).toBe(1);
    expect(a.map((m) => m.id)).toEqual(["m-1"]);
    expect(b.map((m) => m.id)).toEqual(["m-1"]);
  });

  it("a caller that cancels does not fail or poison the listing for others", async () => {
    const p = listing("slow", () => new Promise((resolve) => setTimeout(() => resolve(["m-1"]), 100)));
    const c = catalog([{ provider: p, models: ["m-*"], priority: 1, weight: 1 }]);
    const cancelled = new AbortController();
    const first = c.list(cancelled.signal);
    cancelled.abort(new ConnectError("client went away", Code.Canceled));
    const err = await caught(() => first);
    expect(err.code).toBe(Code.Canceled);
    const models = await c.list(signal());
    expect(models.map((m) => [m.id, m.healthReason])).toEqual([["m-1", ""]]);
    expect(p.calls).toBe(1);
  });
});
