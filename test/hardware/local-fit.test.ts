// Router use of placement: a local model that does not fit the machine's free
// memory is excluded from routing, with the placement's reason as its health.
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, describe, expect, it } from "vitest";
import { HealthState, Locality } from "../../gen/ts/hoosh/v1/models_pb.js";
import { LatencyTracker } from "../../server/core/latency.js";
import { excludeUnfitLocalModels } from "../../server/core/local-fit.js";
import { ModelCatalog } from "../../server/core/model-catalog.js";
import { ProviderHealth } from "../../server/core/provider-health.js";
import { Router } from "../../server/core/router.js";
import type { Provider } from "../../server/providers/provider.js";
import { machine, tempDir } from "./fixtures.js";
import { str, u32, writeGguf } from "./gguf-writer.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function gguf(name: string, parameters: bigint): string {
  // file_type 15 = Q4_K_M
  return tmp.file(name, writeGguf({ kv: [["general.architecture", str("llama")], ["general.parameter_count", { type: "u64", value: parameters }], ["general.file_type", u32(15)]] }));
}

function provider(name: string): Provider {
  const unused = () => Promise.reject(new Error("unused"));
  return { name, type: "local", locality: Locality.LOCAL, generate: unused, generateStream: () => { throw new Error("unused"); }, embed: unused, listModels: async () => [], close: async () => {} };
}

describe("local models vs this machine's memory", () => {
  it("excludes a 70B model on a 16 GB machine without GPU, keeps a 1B one, and says why", async () => {
    const health = new ProviderHealth();
    const logs: string[] = [];
    const excluded = await excludeUnfitLocalModels(
      [
        { provider: "big", modelPath: gguf("big.gguf", 70_000_000_000n), contextSize: 4096, sequences: 1 },
        { provider: "small", modelPath: gguf("small.gguf", 1_000_000_000n), contextSize: 4096, sequences: 1 },
      ],
      async () => machine(16, []),
      health,
      (level, msg, fields) => logs.push(`${level} ${msg} ${JSON.stringify(fields)}`),
    );
    expect(excluded).toEqual(["big"]);
    expect(health.allows("big")).toBe(false);
    expect(health.allows("small")).toBe(true);
    expect(health.get("big").state).toBe(HealthState.UNHEALTHY);
    expect(health.get("big").reason).toMatch(/^model does not fit this machine: .*70\.0B parameters/);
    expect(logs.some((l) => l.startsWith("warn local model skipped: does not fit") && l.includes('"provider":"big"'))).toBe(true);

    // Traffic results do not undo the exclusion.
    health.success("big");
    expect(health.allows("big")).toBe(false);

    // The router skips it, and ModelsService shows the reason.
    const routes = [
      { provider: provider("big"), models: ["llama-70b", "llama-*"], priority: 1, weight: 1 },
      { provider: provider("small"), models: ["llama-*"], priority: 2, weight: 1 },
    ];
    const router = new Router(routes, "priority", new LatencyTracker(), Math.random, {}, health);
    expect(router.targets("llama-1b").map((t) => t.provider.name)).toEqual(["small"]);
    // A model only the excluded provider could serve gets the breaker-style Unavailable.
    expect(router.targets("llama-70b").map((t) => t.provider.name)).toEqual(["small"]);
    const onlyBig = new Router([routes[0]!], "priority", new LatencyTracker(), Math.random, {}, health);
    let err: ConnectError | undefined;
    try {
      onlyBig.targets("llama-70b");
    } catch (e) {
      err = e as ConnectError;
    }
    expect(err?.code).toBe(Code.Unavailable);
    const model = (await new ModelCatalog(router, health).list(new AbortController().signal)).find((m) => m.id === "llama-70b");
    expect(model?.health).toBe(HealthState.UNHEALTHY);
    expect(model?.healthReason).toContain("does not fit");
  });
});
