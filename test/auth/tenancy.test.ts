// The tenancy matrix through a real `hoosh serve`: keys x models x pools x edges (gRPC,
// Connect, gRPC-Web, the OpenAI REST shim, the Anthropic edge, REST transcoding). Every cell
// the key is granted must be answered (by the model it asked for, charged to its own pool);
// every other cell refused with the right code: no key → UNAUTHENTICATED, a missing scope, a
// model outside the key's globs (also reached through an alias or a fallback), a pool it is
// not granted or that does not exist → PERMISSION_DENIED. Then the usage report must show each
// pool charged only by keys granted it.
import { Code, createClient } from "@connectrpc/connect";
import { describe, expect, it, vi } from "vitest";
import { BudgetService, UsageGroupBy } from "../../gen/ts/hoosh/v1/budget_pb.js";
import { ask, canBodyPool, canFallback, EDGES, pooled, POOL_OWNERS, type Answer, type Ask, type Edge, type TenantKey, useTenancy } from "./tenancy-helpers.js";

vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

const world = useTenancy();

type KeyCase = TenantKey | "anonymous";
const KEY_CASES: KeyCase[] = ["limited", "other", "reader", "anonymous"];
const OWN_POOL: Record<KeyCase, string> = { limited: "team-a", limited2: "team-a", writer: "team-a", reader: "team-a", other: "team-b", writerB: "team-b", admin: "team-a", anonymous: "team-a" };
const FOREIGN_POOL = (k: KeyCase) => (OWN_POOL[k] === "team-a" ? "team-b" : "team-a");

const MODEL_CASES = {
  allowed: { model: "mock-cheap", served: "mock-cheap" },
  forbidden: { model: "premium-big", served: "premium-big" },
  alias: { model: "cheap-or-premium", served: "mock-cheap" },
  fallback: { model: "mock-cheap", fallbacks: ["premium-big"], served: "mock-cheap" },
} as const;
type ModelCase = keyof typeof MODEL_CASES;

const POOL_CASES = ["none", "own-header", "foreign-header", "foreign-body", "unknown-header"] as const;
type PoolCase = (typeof POOL_CASES)[number];

interface Cell {
  edge: Edge;
  key: KeyCase;
  model: ModelCase;
  pool: PoolCase;
}

function cells(edge: Edge): Cell[] {
  const out: Cell[] = [];
  for (const key of KEY_CASES) {
    for (const model of Object.keys(MODEL_CASES) as ModelCase[]) {
      if (model === "fallback" && !canFallback(edge)) continue;
      for (const pool of POOL_CASES) {
        if (pool === "foreign-body" && !canBodyPool(edge)) continue;
        out.push({ edge, key, model, pool });
      }
    }
  }
  return out;
}

/** What a granted-or-not oracle expects of a cell. */
function expected(c: Cell): "ok" | Code {
  if (c.key === "anonymous") return Code.Unauthenticated;
  if (c.key === "reader") return Code.PermissionDenied;
  if (c.key === "limited" && c.model !== "allowed") return Code.PermissionDenied;
  if (c.pool === "foreign-header" || c.pool === "foreign-body" || c.pool === "unknown-header") return Code.PermissionDenied;
  return "ok";
}

function toAsk(c: Cell): Ask {
  const m = MODEL_CASES[c.model];
  const a: Ask = { model: m.model, text: `matrix ${c.edge} ${c.key} ${c.model} ${c.pool}` };
  if (c.key !== "anonymous") a.key = c.key;
  if ("fallbacks" in m) a.fallbacks = [...m.fallbacks];
  if (c.pool === "own-header") a.headerPool = OWN_POOL[c.key];
  if (c.pool === "foreign-header") a.headerPool = FOREIGN_POOL(c.key);
  if (c.pool === "foreign-body") a.bodyPool = FOREIGN_POOL(c.key);
  if (c.pool === "unknown-header") a.headerPool = "no-such-pool";
  return a;
}

/** A mismatch, described; undefined when the cell behaved. */
function judge(c: Cell, got: Answer): string | undefined {
  const want = expected(c);
  const where = `${c.edge} key=${c.key} model=${c.model} pool=${c.pool}`;
  if (got.outcome !== want) return `${where}: expected ${want === "ok" ? "ok" : Code[want]}, got ${got.outcome === "ok" ? "ok" : `${Code[got.outcome]} (${got.message})`}`;
  if (want !== "ok") {
    // A refusal never lists what else exists.
    if (/team-[ab].*team-[ab]|the pools are/.test(got.message)) return `${where}: the refusal lists pools: ${got.message}`;
    return undefined;
  }
  if (got.model !== MODEL_CASES[c.model].served) return `${where}: answered by ${got.model}, expected ${MODEL_CASES[c.model].served}`;
  if (got.pool !== undefined && got.pool !== OWN_POOL[c.key]) return `${where}: charged to ${got.pool}, expected ${OWN_POOL[c.key]}`;
  return undefined;
}

const results: Record<string, { cells: number; allowed: number; refused: number }> = {};

describe("tenancy matrix: keys x models x pools x edges", () => {
  it.each(EDGES)("%s", async (edge) => {
    const list = cells(edge);
    const answers = await pooled(list, 6, (c) => ask(world.t, edge, toAsk(c)));
    const wrong = list.map((c, i) => judge(c, answers[i]!)).filter((w): w is string => w !== undefined);
    expect(wrong).toEqual([]);
    const allowed = list.filter((c) => expected(c) === "ok").length;
    results[edge] = { cells: list.length, allowed, refused: list.length - allowed };
    // Both kinds of cell exist on every edge.
    expect(allowed).toBeGreaterThanOrEqual(8);
    expect(list.length - allowed).toBeGreaterThan(allowed);
  });

  it("each pool was charged only by keys granted it", async () => {
    const budget = createClient(BudgetService, world.t.transports.grpc);
    const admin = { authorization: `Bearer hk_tenant_admin_0123456789abcdef` };
    for (const [pool, owners] of Object.entries(POOL_OWNERS)) {
      const report = await budget.getUsageReport({ pool, groupBy: UsageGroupBy.KEY }, { headers: admin });
      expect(report.rows.length).toBeGreaterThan(0);
      for (const row of report.rows) expect(owners, `${pool} charged by ${row.group}`).toContain(row.group);
    }
    const total = Object.values(results).reduce((n, r) => n + r.cells, 0);
    console.log(`tenancy matrix: ${total} cells over ${Object.keys(results).length} edges`, JSON.stringify(results));
    expect(Object.keys(results)).toHaveLength(EDGES.length);
  });
});
