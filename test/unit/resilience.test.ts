// Retry plans, provider admission limits, the circuit breaker, alias routing
// and the grpc.health mirror of provider health.
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { HealthState, Locality } from "../../gen/ts/hoosh/v1/models_pb.js";
import { plan, retryAfterMs, type RetryPolicy } from "../../server/core/attempts.js";
import { HealthStatus } from "../../server/core/health-status.js";
import { LatencyTracker } from "../../server/core/latency.js";
import { ProviderHealth } from "../../server/core/provider-health.js";
import { providerHealthName, publishProviderHealth } from "../../server/core/provider-health-status.js";
import { ProviderLimits } from "../../server/core/provider-limits.js";
import { MemoryRateWindows } from "../../server/core/rate-limit/memory.js";
import { Router, type Target } from "../../server/core/router.js";
import type { Provider } from "../../server/providers/provider.js";

function provider(name: string): Provider {
  const unused = () => Promise.reject(new Error("unused"));
  return { name, type: "test", locality: Locality.REMOTE, generate: unused, generateStream: () => { throw new Error("unused"); }, embed: unused, listModels: unused, close: async () => {} };
}
const err = (code: Code, retryAfter?: string) => new ConnectError("x", code, retryAfter ? { "retry-after": retryAfter } : undefined);
const POLICY: RetryPolicy = { maxAttempts: 5, backoffMs: 100, backoffMaxMs: 1000, maxRetryAfterMs: 10_000, random: () => 1 };

describe("retry plan", () => {
  const targets: Target[] = [{ provider: provider("a"), model: "m" }, { provider: provider("b"), model: "m" }];

  it("tries each target once, then again after an exponential backoff", () => {
    const steps = [...plan(targets, POLICY, () => undefined)].map((s) => [s.target.provider.name, s.delayMs]);
    // random() = 1: the full backoff (equal jitter: backoff/2 .. backoff).
    expect(steps).toEqual([["a", 0], ["b", 0], ["a", 100], ["b", 0], ["a", 200]]);
  });

  it("jitters between half and all of the backoff", () => {
    const low = [...plan(targets, { ...POLICY, random: () => 0 }, () => undefined)].map((s) => s.delayMs);
    expect(low).toEqual([0, 0, 50, 0, 100]);
  });

  it("caps the backoff", () => {
    const delays = [...plan(targets.slice(0, 1), { ...POLICY, maxAttempts: 8 }, () => undefined)].map((s) => s.delayMs);
    expect(delays).toEqual([0, 100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it("waits at least the upstream's Retry-After, and gives up when it is too long", () => {
    expect([...plan(targets, POLICY, () => err(Code.ResourceExhausted, "3"))].map((s) => s.delayMs)).toEqual([0, 0, 3000, 0, 3000]);
    expect([...plan(targets, POLICY, () => err(Code.ResourceExhausted, "60"))].map((s) => s.target.provider.name)).toEqual(["a", "b"]);
  });

  it("reads Retry-After as seconds or an HTTP date", () => {
    expect(retryAfterMs(err(Code.Unavailable, "2"))).toBe(2000);
    expect(retryAfterMs(err(Code.Unavailable, new Date(Date.now() + 5000).toUTCString()))).toBeGreaterThan(3000);
    expect(retryAfterMs(err(Code.Unavailable))).toBeUndefined();
    expect(retryAfterMs(err(Code.Unavailable, "soon"))).toBeUndefined();
  });
});

describe("provider admission limits", () => {
  const refusal = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as ConnectError);

  it("caps concurrency", async () => {
    const limits = new ProviderLimits(() => ({ maxConcurrency: 2 }));
    const a = await limits.admit("p");
    await limits.admit("p");
    const refused = await refusal(limits.admit("p"));
    expect(refused?.code).toBe(Code.ResourceExhausted);
    expect(refused?.rawMessage).toBe('provider "p" is at its limit: 2 calls in flight (max_concurrency 2)');
    a.done(0);
    await expect(limits.admit("p")).resolves.toBeDefined();
  });

  it("limits requests per sliding minute, with Retry-After", async () => {
    let now = 0;
    const limits = new ProviderLimits(() => ({ rpm: 2 }), () => now);
    (await limits.admit("p")).done(0);
    now = 10_000;
    (await limits.admit("p")).done(0);
    const refused = await refusal(limits.admit("p"));
    expect(refused?.rawMessage).toBe('provider "p" is at its limit: 2 requests in the last minute (rpm 2)');
    expect(refused?.metadata.get("retry-after")).toBe("50");
    now = 60_001; // the first request left the window
    await expect(limits.admit("p")).resolves.toBeDefined();
  });

  it("limits tokens per sliding minute", async () => {
    let now = 0;
    const limits = new ProviderLimits(() => ({ tpm: 100 }), () => now);
    (await limits.admit("p")).done(60);
    now = 10_000;
    (await limits.admit("p")).done(50);
    const refused = await refusal(limits.admit("p"));
    expect(refused?.rawMessage).toBe('provider "p" is at its limit: 110 tokens in the last minute (tpm 100)');
    now = 60_001; // 60 tokens left the window: 50 < 100
    await expect(limits.admit("p")).resolves.toBeDefined();
  });

  it("keeps providers apart", async () => {
    const limits = new ProviderLimits(() => ({ maxConcurrency: 1 }));
    await limits.admit("a");
    await expect(limits.admit("b")).resolves.toBeDefined();
  });

  it("with shared windows, counts rpm there and frees the concurrency slot of a refused call", async () => {
    let now = 0;
    const shared = new MemoryRateWindows();
    const limits = new ProviderLimits(() => ({ rpm: 1, maxConcurrency: 5 }), () => now, shared);
    const other = new ProviderLimits(() => ({ rpm: 1, maxConcurrency: 5 }), () => now, shared); // another replica
    (await limits.admit("p")).done(0);
    const refused = await refusal(other.admit("p"));
    expect(refused?.code).toBe(Code.ResourceExhausted);
    expect(refused?.rawMessage).toBe('provider "p" is at its limit: 1 requests in the last minute across replicas (rpm 1)');
    expect(refused?.metadata.get("retry-after")).toBe("60");
    now = 60_001;
    await expect(other.admit("p")).resolves.toBeDefined();
  });

  it("with shared windows, tokens reported by one replica refuse the next call on another", async () => {
    let now = 0;
    const shared = new MemoryRateWindows();
    const a = new ProviderLimits(() => ({ tpm: 100 }), () => now, shared);
    const b = new ProviderLimits(() => ({ tpm: 100 }), () => now, shared);
    (await a.admit("p")).done(120);
    await new Promise((r) => setImmediate(r)); // addTokens runs in the background
    now = 1_000;
    const refused = await refusal(b.admit("p"));
    expect(refused?.rawMessage).toBe('provider "p" is at its limit: 100 tokens in the last minute across replicas (tpm 100)');
  });
});

describe("circuit breaker", () => {
  it("opens after N failures, half-opens after the cooldown, closes on success", () => {
    let now = 0;
    const h = new ProviderHealth(() => ({ failures: 2, cooldownMs: 1000 }), () => now);
    h.failure("p", err(Code.Unavailable));
    expect(h.allows("p")).toBe(true);
    expect(h.get("p").state).toBe(HealthState.DEGRADED);
    h.failure("p", err(Code.Unavailable));
    expect(h.allows("p")).toBe(false);
    expect(h.get("p").state).toBe(HealthState.UNHEALTHY);
    expect(h.get("p").reason).toBe("circuit open after 2 failures: x");
    now = 1000;
    expect(h.allows("p")).toBe(true); // half-open: a probe may pass
    h.failure("p", err(Code.Unavailable)); // the probe failed: open again
    expect(h.allows("p")).toBe(false);
    now = 2000;
    h.success("p");
    expect(h.allows("p")).toBe(true);
    expect(h.get("p").state).toBe(HealthState.HEALTHY);
  });

  it("tells listeners about state changes only", () => {
    const h = new ProviderHealth(() => ({ failures: 2, cooldownMs: 1000 }));
    const seen: HealthState[] = [];
    h.onChange((_, s) => seen.push(s));
    h.success("p");
    h.success("p");
    h.failure("p", err(Code.Unavailable));
    h.failure("p", err(Code.Unavailable));
    h.failure("p", err(Code.InvalidArgument)); // not a provider fault
    h.success("p");
    expect(seen).toEqual([HealthState.HEALTHY, HealthState.DEGRADED, HealthState.UNHEALTHY, HealthState.HEALTHY]);
  });
});

describe("router targets", () => {
  const a = provider("a");
  const b = provider("b");
  const routes = [
    { provider: a, models: ["gpt-*"], priority: 1, weight: 1 },
    { provider: b, models: ["gpt-*", "claude-*"], priority: 2, weight: 1 },
  ];
  const names = (ts: Target[]) => ts.map((t) => `${t.provider.name}:${t.model}`);

  it("expands aliases and fallback models in order", () => {
    const r = new Router(routes, "priority", new LatencyTracker(), Math.random, { smart: ["claude-3", "gpt-4o"], fast: "gpt-4o-mini" });
    expect(names(r.targets("smart"))).toEqual(["b:claude-3", "a:gpt-4o", "b:gpt-4o"]);
    expect(names(r.targets("fast"))).toEqual(["a:gpt-4o-mini", "b:gpt-4o-mini"]);
    expect(names(r.targets("gpt-4o", { fallbackModels: ["claude-3"] } as never))).toEqual(["a:gpt-4o", "b:gpt-4o", "b:claude-3"]);
  });

  it("leaves out providers whose breaker is open; all open → Unavailable with Retry-After", () => {
    let now = 0;
    const health = new ProviderHealth(() => ({ failures: 1, cooldownMs: 5000 }), () => now);
    const r = new Router(routes, "priority", new LatencyTracker(), Math.random, {}, health);
    health.failure("a", err(Code.Unavailable));
    expect(names(r.targets("gpt-4o"))).toEqual(["b:gpt-4o"]);
    health.failure("b", err(Code.Unavailable));
    let thrown: ConnectError | undefined;
    try {
      r.targets("gpt-4o");
    } catch (e) {
      thrown = e as ConnectError;
    }
    expect(thrown?.code).toBe(Code.Unavailable);
    expect(thrown?.rawMessage).toBe('every provider serving "gpt-4o" has an open circuit breaker: a, b');
    expect(thrown?.metadata.get("retry-after")).toBeTruthy();
    now = 5000;
    expect(names(r.targets("gpt-4o"))).toEqual(["a:gpt-4o", "b:gpt-4o"]);
  });

  it("an unknown model is NotFound even through an alias", () => {
    const r = new Router(routes, "priority", new LatencyTracker(), Math.random, { x: "mistral-large" });
    expect(() => r.targets("x")).toThrow(/no provider serves model "mistral-large"/);
  });
});

describe("grpc.health mirror", () => {
  it("marks a provider NOT_SERVING while its breaker is open, and inference when all are", () => {
    const h = new ProviderHealth(() => ({ failures: 1, cooldownMs: 1000 }));
    const status = new HealthStatus();
    publishProviderHealth(h, status, ["a", "b"]);
    expect(status.get(providerHealthName("a"))).toBe("SERVING");
    h.failure("a", err(Code.Unavailable));
    expect(status.get(providerHealthName("a"))).toBe("NOT_SERVING");
    expect(status.get("hoosh.v1.InferenceService")).toBe("SERVING");
    h.failure("b", err(Code.Unavailable));
    expect(status.get("hoosh.v1.InferenceService")).toBe("NOT_SERVING");
    h.success("a");
    expect(status.get(providerHealthName("a"))).toBe("SERVING");
    expect(status.get("hoosh.v1.InferenceService")).toBe("SERVING");
  });
});
