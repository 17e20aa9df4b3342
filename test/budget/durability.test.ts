import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { BudgetStore } from "../../server/store/budget-store.js";
import { RedisBudgetStore } from "../../server/store/redis/budget-store.js";
import { SqliteBudgetStore } from "../../server/store/sqlite/budget-store.js";
import { startRedis, type RedisServer } from "../harness/redis.js";

const CHILD = fileURLToPath(new URL("./fixtures/budget-child.ts", import.meta.url));
const REPO = fileURLToPath(new URL("../../", import.meta.url));
const TTL_MS = 60_000;
const KILL_AFTER_COMMITS = 200;

interface Killed {
  /** id → tokens charged, for every `committed` line the child printed. */
  committed: Map<string, number>;
  killedAt: number;
}

/** Runs the child until it printed KILL_AFTER_COMMITS commits, SIGKILLs it, and returns everything it printed. */
async function runAndKill(args: string[]): Promise<Killed> {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, ...args], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
  const committed = new Map<string, number>();
  let stderr = "";
  let buffered = "";
  let killedAt = 0;
  child.stderr.on("data", (d: Buffer) => void (stderr += d.toString()));
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  child.stdout.on("data", (d: Buffer) => {
    buffered += d.toString();
    let nl: number;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const [word, id, tokens] = buffered.slice(0, nl).split(" ");
      buffered = buffered.slice(nl + 1);
      if (word === "committed") committed.set(id as string, Number(tokens));
    }
    if (committed.size >= KILL_AFTER_COMMITS && !killedAt) {
      killedAt = Date.now();
      process.kill(child.pid as number, "SIGKILL"); // mid-loop: wherever it is
    }
  });
  await closed; // every line written before the kill is read
  clearTimeout(timer);
  expect(child.signalCode, `child did not die by our SIGKILL; stderr:\n${stderr}`).toBe("SIGKILL");
  expect(committed.size).toBeGreaterThanOrEqual(KILL_AFTER_COMMITS);
  return { committed, killedAt };
}

/** What must hold in the reopened store: every printed commit is there, abandoned holds expire after their TTL. */
async function checkAfterKill(store: BudgetStore, { committed, killedAt }: Killed): Promise<void> {
  const records = await store.queryUsage({ pool: "p" });
  const recorded = new Map(records.map((r) => [r.reservationId, r.inputTokens + r.outputTokens]));
  for (const [id, tokens] of committed) expect(recorded.get(id), `usage record of ${id}`).toBe(tokens);
  for (const id of committed.keys()) expect((await store.commit(id, { tokens: 1, usdMicros: 0 }, killedAt)).status).toBe("committed");

  const pool = (await store.getPool("p", killedAt)) ?? expect.fail("pool p is gone");
  const printed = [...committed.values()].reduce((a, b) => a + b, 0);
  const inRecords = [...recorded.values()].reduce((a, b) => a + b, 0);
  expect(inRecords).toBeGreaterThanOrEqual(printed); // commits after the last line read may be there too
  // used counts every record; at most one commit can be missing its record (killed between the two steps).
  expect(pool.usedTokens - inRecords).toBeGreaterThanOrEqual(0);
  expect(pool.usedTokens - inRecords).toBeLessThanOrEqual(9);
  // Every printed iteration left a 1-token hold it never finished; they are still held before their TTL.
  expect(pool.reservedTokens).toBeGreaterThanOrEqual(committed.size);

  const later = killedAt + TTL_MS + 1;
  expect(await store.expire(later)).toBeGreaterThanOrEqual(committed.size);
  expect(await store.getPool("p", later)).toMatchObject({ reservedTokens: 0, usedTokens: pool.usedTokens });
}

describe("kill -9 durability", () => {
  let dir: string;
  let redis: RedisServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "hoosh-durability-"));
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("SQLite: every commit the killed process printed is in the reopened file; its open holds expire", async () => {
    const file = join(dir, "budget.db");
    const killed = await runAndKill(["sqlite", file, String(TTL_MS)]);
    const check = new Database(file);
    expect(check.pragma("integrity_check", { simple: true })).toBe("ok");
    check.close();
    const store = SqliteBudgetStore.open(file);
    try {
      await checkAfterKill(store, killed);
    } finally {
      store.close();
    }
  });

  it("Redis: every commit the killed process printed is in the shared redis-server; its open holds expire", async () => {
    const killed = await runAndKill(["redis", redis.url, "durable:", String(TTL_MS)]);
    const store = await RedisBudgetStore.connect(redis.url, { prefix: "durable:" });
    try {
      await checkAfterKill(store, killed);
    } finally {
      await store.close();
    }
  });
});
