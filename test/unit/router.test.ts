// Router: pattern matching, hints and every strategy, over tiny in-memory providers.
import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { describe, expect, it, vi } from "vitest";
import { RoutingHintsSchema, RoutingStrategy } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { Locality } from "../../gen/ts/hoosh/v1/models_pb.js";
import { LatencyTracker } from "../../server/core/latency.js";
import { Router, type Route, type StrategyName } from "../../server/core/router.js";
import type { Provider } from "../../server/providers/provider.js";
import { notFound } from "../../server/core/errors.js";
import { caughtSync, expectError } from "./helpers.js";

// notFound counted (and still made): a model without a provider must not cost an error each.
vi.mock("../../server/core/errors.js", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../server/core/errors.js")>();
  return { ...actual, notFound: vi.fn(actual.notFound) };
});

function provider(name: string): Provider {
  const unused = () => {
    throw new Error("not used by routing tests");
  };
  return {
    name,
    type: "test",
    locality: Locality.LOCAL,
    generate: unused,
    generateStream: unused,
    embed: unused,
    listModels: async () => [],
    close: async () => {},
  };
}

function route(name: string, models: string[], priority = 100, weight = 1): Route {
  return { provider: provider(name), models, priority, weight };
}

function router(routes: Route[], strategy: StrategyName = "priority", opts: { latency?: LatencyTracker; random?: () => number } = {}) {
  return new Router(routes, strategy, opts.latency ?? new LatencyTracker(), opts.random);
}

const names = (providers: Provider[]) => providers.map((p) => p.name);
const hints = (init: { provider?: string; strategy?: RoutingStrategy }) => create(RoutingHintsSchema, init);

describe("pattern matching", () => {
  const r = router([
    route("openai", ["gpt-*", "o[0-9]*", "text-embedding-3-small"], 10),
    route("local", ["llama*:*", "qwen{2,3}*"], 20),
    route("any", ["**"], 30),
  ]);

  it("matches globs, literal ids and brace/class patterns", () => {
    expect(names(r.matching("gpt-4o-mini").map((x) => x.provider))).toEqual(["openai", "any"]);
    expect(names(r.matching("o3").map((x) => x.provider))).toEqual(["openai", "any"]);
    expect(names(r.matching("text-embedding-3-small").map((x) => x.provider))).toEqual(["openai", "any"]);
    expect(names(r.matching("llama3.1:8b").map((x) => x.provider))).toEqual(["local", "any"]);
    expect(names(r.matching("qwen3-coder").map((x) => x.provider))).toEqual(["local", "any"]);
    expect(names(r.matching("mistral-large").map((x) => x.provider))).toEqual(["any"]);
  });

  it("is case-insensitive", () => {
    expect(names(r.candidates("GPT-4O"))).toEqual(["openai", "any"]);
    expect(names(r.candidates("Text-Embedding-3-SMALL"))).toEqual(["openai", "any"]);
  });

  it("does not match a prefix without a glob", () => {
    const only = router([route("a", ["gpt-4o"])]);
    expect(only.matching("gpt-4o-mini")).toEqual([]);
    expect(only.matching("gpt-4o")).toHaveLength(1);
  });

  it("no match → NotFound naming the model", () => {
    const err = caughtSync(() => router([route("a", ["gpt-*"])]).candidates("claude-3"));
    expectError(err, Code.NotFound, 'no provider serves model "claude-3"');
  });
});

describe("priority", () => {
  it("orders by priority, config order for ties", () => {
    const r = router([route("c", ["*"], 30), route("a", ["*"], 10), route("b1", ["*"], 20), route("b2", ["*"], 20)]);
    expect(names(r.candidates("m"))).toEqual(["a", "b1", "b2", "c"]);
    expect(r.all.map((x) => x.provider.name)).toEqual(["a", "b1", "b2", "c"]);
    // Stable across calls.
    expect(names(r.candidates("m"))).toEqual(["a", "b1", "b2", "c"]);
  });
});

describe("round-robin", () => {
  it("rotates the start per set of matching providers", () => {
    const r = router([route("a", ["*"], 1), route("b", ["*"], 2), route("c", ["*"], 3), route("x", ["x-*"], 0)], "round-robin");
    expect(names(r.candidates("m1"))).toEqual(["a", "b", "c"]);
    expect(names(r.candidates("m1"))).toEqual(["b", "c", "a"]);
    // Another model served by the same providers shares the turn (the counter is per provider set,
    // so arbitrary model names cannot grow it).
    expect(names(r.candidates("m2"))).toEqual(["c", "a", "b"]);
    // A model matched by a different set of providers has its own counter.
    expect(names(r.candidates("x-1"))).toEqual(["x", "a", "b", "c"]);
    expect(names(r.candidates("x-2"))).toEqual(["a", "b", "c", "x"]);
    expect(names(r.candidates("m1"))).toEqual(["a", "b", "c"]);
  });
});

describe("direct", () => {
  it("returns only the first candidate", () => {
    const r = router([route("b", ["*"], 2), route("a", ["*"], 1)], "direct");
    expect(names(r.candidates("m"))).toEqual(["a"]);
  });
});

describe("weighted", () => {
  const routes = () => [route("a", ["*"], 1, 1), route("b", ["*"], 2, 3), route("c", ["*"], 3, 6)];

  it.each([
    [0, ["a", "b", "c"]],
    [0.099, ["a", "b", "c"]],
    [0.1, ["b", "a", "c"]],
    [0.39, ["b", "a", "c"]],
    [0.4, ["c", "a", "b"]],
    [0.999, ["c", "a", "b"]],
  ])("random() = %s picks first %j", (value, expected) => {
    const r = router(routes(), "weighted", { random: () => value });
    expect(names(r.candidates("m"))).toEqual(expected);
  });

  it("uses the injected random for every call", () => {
    const values = [0.05, 0.5, 0.2];
    const r = router(routes(), "weighted", { random: () => values.shift()! });
    expect(names(r.candidates("m"))[0]).toBe("a");
    expect(names(r.candidates("m"))[0]).toBe("c");
    expect(names(r.candidates("m"))[0]).toBe("b");
  });
});

describe("lowest-latency", () => {
  it("orders by measured latency, unmeasured providers first", () => {
    const latency = new LatencyTracker();
    const r = router([route("slow", ["*"], 1), route("fast", ["*"], 2), route("new", ["*"], 3)], "lowest-latency", { latency });
    expect(names(r.candidates("m"))).toEqual(["slow", "fast", "new"]); // nobody measured: priority order
    latency.record("slow", 500);
    latency.record("fast", 50);
    expect(names(r.candidates("m"))).toEqual(["new", "fast", "slow"]);
    latency.record("new", 100);
    expect(names(r.candidates("m"))).toEqual(["fast", "new", "slow"]);
  });

  it("follows the moving average", () => {
    const latency = new LatencyTracker(0.5);
    latency.record("a", 100);
    latency.record("a", 300);
    expect(latency.estimate("a")).toBe(200);
    expect(latency.estimate("never")).toBe(0);
    latency.record("b", 150);
    const r = router([route("a", ["*"], 1), route("b", ["*"], 2)], "lowest-latency", { latency });
    expect(names(r.candidates("m"))).toEqual(["b", "a"]);
  });
});

describe("routing hints", () => {
  const routes = () => [route("openai", ["gpt-*"], 10), route("groq", ["llama*", "gpt-oss*"], 20), route("local", ["*"], 30)];

  it("a provider pin returns just that provider", () => {
    const r = router(routes());
    expect(names(r.candidates("gpt-oss-20b", hints({ provider: "local" })))).toEqual(["local"]);
    expect(names(r.candidates("gpt-oss-20b", hints({ provider: "groq" })))).toEqual(["groq"]);
  });

  it("an unknown provider → InvalidArgument listing the configured names", () => {
    const err = caughtSync(() => router(routes()).candidates("gpt-4o", hints({ provider: "anthropic" })));
    expectError(err, Code.InvalidArgument, "routing.provider:");
    expect(err.rawMessage).toContain('"anthropic" is not one of: openai, groq, local');
  });

  it("a provider that does not serve the model → NotFound", () => {
    const err = caughtSync(() => router(routes()).candidates("gpt-4o", hints({ provider: "groq" })));
    expectError(err, Code.NotFound, 'provider "groq" does not serve model "gpt-4o"');
  });

  it("a strategy hint overrides the configured strategy", () => {
    const r = router(routes(), "priority");
    expect(names(r.candidates("llama-3", hints({ strategy: RoutingStrategy.DIRECT })))).toEqual(["groq"]);
    expect(names(r.candidates("llama-3", hints({ strategy: RoutingStrategy.ROUND_ROBIN })))).toEqual(["groq", "local"]);
    expect(names(r.candidates("llama-3", hints({ strategy: RoutingStrategy.ROUND_ROBIN })))).toEqual(["local", "groq"]);
    // UNSPECIFIED keeps the configured strategy.
    expect(names(r.candidates("llama-3", hints({ strategy: RoutingStrategy.UNSPECIFIED })))).toEqual(["groq", "local"]);
    const direct = router(routes(), "direct");
    expect(names(direct.candidates("llama-3", hints({ strategy: RoutingStrategy.PRIORITY })))).toEqual(["groq", "local"]);
  });

  it("weighted and lowest-latency hints use the injected random and tracker", () => {
    const latency = new LatencyTracker();
    latency.record("groq", 10);
    latency.record("local", 5);
    const r = router(routes(), "priority", { latency, random: () => 0.9 });
    expect(names(r.candidates("llama-3", hints({ strategy: RoutingStrategy.LOWEST_LATENCY })))).toEqual(["local", "groq"]);
    expect(names(r.candidates("llama-3", hints({ strategy: RoutingStrategy.WEIGHTED })))).toEqual(["local", "groq"]);
  });
});

describe("reach and targets (aliases, fallbacks)", () => {
  const routes = () => [route("cheap", ["mock-*"], 10), route("premium", ["premium-*"], 20)];
  const aliased = () => new Router(routes(), "priority", new LatencyTracker(), Math.random, { fast: "mock-a", both: ["mock-a", "premium-b"] });
  const fallbacks = (fallbackModels: string[], provider = "") => create(RoutingHintsSchema, { fallbackModels, provider });

  it("reach: the model or its alias's models, then each fallback's, each once, in order", () => {
    const r = aliased();
    expect(r.reach("mock-x")).toEqual(["mock-x"]);
    expect(r.reach("fast")).toEqual(["mock-a"]);
    expect(r.reach("both", fallbacks(["fast", "premium-c", "premium-b"]))).toEqual(["mock-a", "premium-b", "premium-c"]);
    // Only own keys are aliases.
    expect(r.reach("toString")).toEqual(["toString"]);
  });

  it("targets skip a model nobody serves and keep going; with nothing left, the first reason", () => {
    const r = aliased();
    expect(r.targets("nobody", fallbacks(["premium-b"])).map((t) => `${t.provider.name}/${t.model}`)).toEqual(["premium/premium-b"]);
    const err = caughtSync(() => r.targets("nobody", fallbacks(["also-nobody"])));
    expectError(err, Code.NotFound, 'no provider serves model "nobody"');
    const pinned = caughtSync(() => r.targets("mock-a", fallbacks(["mock-b"], "premium")));
    expectError(pinned, Code.NotFound, 'provider "premium" does not serve model "mock-a"');
    const unknown = caughtSync(() => r.targets("mock-a", fallbacks([], "nope")));
    expectError(unknown, Code.InvalidArgument, "routing.provider:");
    expect(unknown.rawMessage).toContain('"nope" is not one of: cheap, premium');
  });

  it("a long list of unserved fallbacks costs no error per model: one for the request at most", () => {
    const r = aliased();
    const many = fallbacks(Array.from({ length: 2000 }, (_, i) => `unserved-${i}`));
    vi.mocked(notFound).mockClear();
    expect(r.targets("premium-b", many).map((t) => t.model)).toEqual(["premium-b"]);
    expect(notFound).not.toHaveBeenCalled();
    expectError(caughtSync(() => r.targets("unserved", many)), Code.NotFound, 'no provider serves model "unserved"');
    expect(notFound).toHaveBeenCalledTimes(1);
  });
});
