// `hoosh serve` with [server] workers = 2 (node:cluster) on a SQLite store: the workers share the
// one port and the budget (exact under 1,000 concurrent requests), /metrics counts every worker's
// requests, a worker killed with kill -9 under steady load is restarted by the primary, only the
// requests it had in flight fail and usage stays exact, and SIGTERM to the primary leaves no process behind (checked by PID).
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import Database from "better-sqlite3";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Agent, request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BudgetService } from "../../gen/ts/hoosh/v1/budget_pb.js";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/spawn.js";
import { bundleHoosh, type Bundle } from "../harness/bundle.js";
import { startHoosh, type Hoosh } from "../harness/hoosh.js";
import { eventually } from "../observability/helpers.js";

const CONCURRENT = 1000;
const LOOPS = 16;

let fake: FakeOpenAI;
let bundle: Bundle;
let hoosh: Hoosh;
let dir: string;

/** PIDs of the primary's worker processes. */
function workerPids(primary: number): number[] {
  try {
    return execFileSync("pgrep", ["-P", String(primary)], { encoding: "utf8" }).trim().split("\n").filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when there is none
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hoosh-workers-"));
  fake = await startFakeOpenAI();
  bundle = await bundleHoosh();
  hoosh = await startHoosh(
    `
[server]
workers = 2
max_in_flight = 2048
max_queued = 2048

[store]
kind = "sqlite"
path = "${join(dir, "hoosh.db")}"

[cache]
mode = "off"

[[budgets]]
name = "default"
capacity = 1000000000

[[providers]]
name = "fake"
type = "openai"
base_url = "${fake.baseUrl}"
models = ["*"]
max_connections = 256
`,
    { bundle },
  );
}, 60_000);

afterAll(async () => {
  await hoosh?.stop();
  await fake?.stop();
  await bundle?.remove();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function chat(agent: Agent, i: number, requestId?: string): Promise<number> {
  const res = await request(`${hoosh.url}/v1/chat/completions`, {
    method: "POST",
    dispatcher: agent,
    headers: { "content-type": "application/json", ...(requestId && { "x-request-id": requestId }) },
    body: JSON.stringify({ model: "gpt-4o-mini", max_tokens: 16, messages: [{ role: "user", content: `request ${i}` }] }),
  });
  const body = (await res.body.json()) as { usage?: { total_tokens: number }; error?: { message: string } };
  if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}: ${body.error?.message}`);
  return body.usage!.total_tokens;
}

/** The shared SQLite file's usage records for the pool (read-only, beside the running workers). */
function usageRecords(): { requestId: string; tokens: number }[] {
  const db = new Database(join(dir, "hoosh.db"), { readonly: true });
  try {
    return db
      .prepare<[], { request_id: string; tokens: number }>("SELECT request_id, input_tokens + output_tokens AS tokens FROM usage WHERE pool = 'default'")
      .all()
      .map((r) => ({ requestId: r.request_id, tokens: r.tokens }));
  } finally {
    db.close();
  }
}

const used = async () => Number((await createClient(BudgetService, createGrpcTransport({ baseUrl: hoosh.url })).getPool({ name: "default" })).pool!.usedTokens);

/** The merged /metrics' count of chat operations (the GenAI duration histogram's _count series, summed). */
async function chatCount(): Promise<number> {
  const text = await (await fetch(`${hoosh.url}/metrics`)).text();
  return text
    .split("\n")
    .filter((l) => l.startsWith("gen_ai_client_operation_duration_seconds_count{") && l.includes('gen_ai_operation_name="chat"'))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
}

describe("two workers on one port", () => {
  it("two worker processes serve; 1,000 concurrent requests are charged exactly once each to the shared budget; /metrics counts them all", { timeout: 180_000 }, async () => {
    expect(workerPids(hoosh.pid)).toHaveLength(2);
    const before = await used();
    const countBefore = await chatCount();
    const agent = new Agent({ connections: 200 });
    const tokens = await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => chat(agent, i)));
    await agent.close();
    const served = tokens.reduce((a, b) => a + b, 0);
    await eventually(async () => ((await used()) === before + served ? true : undefined), 15_000);
    expect(await used()).toBe(before + served);
    // Any one worker saw only part of the connections: the total is right only if the primary merged both.
    expect((await chatCount()) - countBefore).toBe(CONCURRENT);
  });

  it("kill -9 of a worker under steady load: only requests in flight fail, the primary starts a new one, usage exact", { timeout: 180_000 }, async () => {
    const [victim, survivor] = workerPids(hoosh.pid);
    const answered = new Map<string, number>();
    const sent = new Set<string>();
    let failed = 0;
    let running = true;
    // LOOPS callers, each with its own connection and one request at a time: at most LOOPS in flight.
    const callers = Array.from({ length: LOOPS }, async (_, c) => {
      const agent = new Agent({ connections: 1 });
      for (let n = 0; running; n++) {
        const id = `w${c}-n${n}`;
        sent.add(id);
        try {
          answered.set(id, await chat(agent, n, id));
        } catch {
          failed++;
        }
      }
      await agent.close();
    });
    const answeredAtLeast = (count: number) => eventually(async () => (answered.size >= count ? true : undefined), 60_000);
    await answeredAtLeast(200);
    process.kill(victim!, "SIGKILL");
    const fresh = await eventually(async () => {
      const pids = workerPids(hoosh.pid);
      return pids.length === 2 && !pids.includes(victim!) ? pids : undefined;
    }, 30_000);
    expect(fresh).toContain(survivor);
    // Keep the load on until the restarted worker has had time to serve its share too.
    await answeredAtLeast(answered.size + 400);
    running = false;
    await Promise.all(callers);

    const records = usageRecords();
    const byRequest = new Map<string, number>();
    for (const r of records) byRequest.set(r.requestId, (byRequest.get(r.requestId) ?? 0) + 1);
    const missing = [...answered.keys()].filter((id) => !byRequest.has(id));
    const twice = [...byRequest].filter(([, n]) => n > 1).map(([id]) => id);
    const wrong = records.filter((r) => answered.has(r.requestId) && answered.get(r.requestId) !== r.tokens);
    console.log(`workers kill -9: ${sent.size} sent, ${answered.size} answered, ${failed} failed (at most ${LOOPS} were in flight), ${records.length} records`);
    expect(failed).toBeLessThanOrEqual(LOOPS);
    expect({ missing, twice, wrong }).toEqual({ missing: [], twice: [], wrong: [] });
    // Balance and records agree (a cut-off request may have a record: its commit can precede the kill).
    await eventually(async () => ((await used()) === usageRecords().reduce((sum, r) => sum + r.tokens, 0) ? true : undefined), 15_000);
  });

  it("SIGTERM to the primary drains every worker and leaves no process behind", { timeout: 60_000 }, async () => {
    const pids = [hoosh.pid, ...workerPids(hoosh.pid)];
    expect(pids).toHaveLength(3);
    await hoosh.stop();
    await eventually(async () => (pids.every((p) => !alive(p)) ? true : undefined), 20_000);
  });
});
