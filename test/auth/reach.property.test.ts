// Property: no request a key can build reaches a model or a budget pool outside its grants.
// Keys, aliases and requests are generated; Auth.authorizeRequest (with the real Router's
// alias and fallback expansion) must let a request through exactly when an independent oracle
// says every model it reaches and the pool it charges are granted, and refuse it otherwise
// with PermissionDenied (InvalidArgument for routing over its bounds). Runs are counted, not
// timed: each property runs NUM_RUNS cases, and both outcomes must occur.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RoutingHintsSchema } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { Auth, type RequestReach } from "../../server/auth/authorize.js";
import { hashKey } from "../../server/auth/keys.js";
import type { KeyConfig } from "../../server/config/schema.js";
import { LatencyTracker } from "../../server/core/latency.js";
import { Router } from "../../server/core/router.js";
import { MAX_FALLBACK_MODELS } from "../../server/core/validate.js";

const NUM_RUNS = 300;
const MODELS = ["mock-cheap", "mock-cheap-b", "premium-big", "premium-small", "embed-1"];
const ALIAS_NAMES = ["fast", "best", "any"];
const POOLS = ["default", "team-a", "team-b", "shared-1", "shared-2"];
const OPTIONS = { open_health: true, open_reflection: true, allow_unauthenticated_remote: false };

/** Model globs of the two shapes the oracle understands: a literal name, or a prefix and "*". */
const modelGlob = fc.oneof(fc.constantFrom(...MODELS, ...ALIAS_NAMES), fc.constantFrom("mock-*", "premium-*", "*", "fa*"));
const poolGlob = fc.constantFrom(...POOLS, "shared-*", "team-*");

const keyArb = fc.record({
  admin: fc.boolean(),
  models: fc.array(modelGlob, { minLength: 1, maxLength: 3 }),
  defaultPool: fc.option(fc.constantFrom(...POOLS), { nil: undefined }),
  pools: fc.array(poolGlob, { maxLength: 2 }),
});
const aliasesArb = fc.dictionary(fc.constantFrom(...ALIAS_NAMES), fc.array(fc.constantFrom(...MODELS), { minLength: 1, maxLength: 3 }));
const name = fc.constantFrom(...MODELS, ...ALIAS_NAMES);
const requestArb = fc.record({
  model: name,
  fallbacks: fc.array(name, { maxLength: MAX_FALLBACK_MODELS + 2 }),
  budgetPool: fc.option(fc.constantFrom(...POOLS, "unknown"), { nil: undefined }),
  metadataPool: fc.option(fc.constantFrom(...POOLS), { nil: undefined }),
  headerPool: fc.option(fc.constantFrom(...POOLS), { nil: undefined }),
});

const globMatches = (glob: string, value: string) => glob === value || (glob.endsWith("*") && value.startsWith(glob.slice(0, -1)));

type Outcome = "ok" | Code;

/** The independent oracle: what the request reaches, and whether all of it is granted. */
type Of<A> = A extends fc.Arbitrary<infer T> ? T : never;

function expected(k: Of<typeof keyArb>, aliases: Record<string, string[]>, r: Of<typeof requestArb>): Outcome {
  if (r.fallbacks.length > MAX_FALLBACK_MODELS) return Code.InvalidArgument;
  const asked = [r.model, ...r.fallbacks];
  const reached = asked.flatMap((m) => (Object.hasOwn(aliases, m) ? [m, ...aliases[m]!] : [m]));
  if (!reached.every((m) => k.models.some((g) => globMatches(g, m)))) return Code.PermissionDenied;
  const pool = r.budgetPool ?? r.metadataPool ?? r.headerPool ?? k.defaultPool ?? "default";
  const granted = k.admin || pool === (k.defaultPool ?? "default") || k.pools.some((g) => globMatches(g, pool));
  return granted ? "ok" : Code.PermissionDenied;
}

describe("property: a key reaches only its models and its pools", () => {
  it(`authorizeRequest agrees with the oracle (${NUM_RUNS} counted runs)`, () => {
    let runs = 0;
    const seen = new Map<Outcome, number>();
    fc.assert(
      fc.property(keyArb, aliasesArb, requestArb, (k, aliases, r) => {
        runs++;
        const config: KeyConfig = {
          id: "k",
          hash: hashKey("hk_property_0123456789abcdef"),
          scopes: k.admin ? ["admin"] : ["inference"],
          models: k.models,
          pools: k.pools,
          default_pool: k.defaultPool,
          enabled: true,
        };
        const router = new Router([], "priority", new LatencyTracker(), () => 0, aliases);
        const auth = new Auth([config], OPTIONS, { reach: (m, h) => router.reach(m, h) });
        const key = auth.authenticate((n) => (n === "x-api-key" ? "hk_property_0123456789abcdef" : undefined))!;
        const reach: RequestReach = {
          model: r.model,
          routing: create(RoutingHintsSchema, { fallbackModels: r.fallbacks }),
          budgetPool: r.budgetPool ?? "",
          metadata: r.metadataPool === undefined ? {} : { budget_pool: r.metadataPool },
        };
        let got: Outcome = "ok";
        try {
          auth.authorizeRequest(key, "inference", reach, r.headerPool);
        } catch (err) {
          got = ConnectError.from(err).code;
        }
        const want = expected(k, aliases, r);
        seen.set(got, (seen.get(got) ?? 0) + 1);
        expect(got).toBe(want);
        // What got through: everything the router will try is within the key's grants.
        if (got === "ok") for (const m of router.reach(r.model, reach.routing)) expect(key.allowsModel(m)).toBe(true);
      }),
      { numRuns: NUM_RUNS, seed: 0x15ee },
    );
    expect(runs).toBe(NUM_RUNS);
    // Not vacuous: the generated cases were let through and refused, for both reasons.
    expect(seen.get("ok")).toBeGreaterThan(10);
    expect(seen.get(Code.PermissionDenied)).toBeGreaterThan(10);
    expect(seen.get(Code.InvalidArgument)).toBeGreaterThan(0);
  });
});
