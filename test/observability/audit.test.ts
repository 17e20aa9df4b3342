// The audit log's hash chain: append and verify, tamper detection, `hoosh audit verify`, and
// admin actions / budget commits recorded by a running hoosh.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GENESIS, verifyChain, type AuditEntry } from "../../server/observability/audit-chain.js";
import { AuditLog } from "../../server/observability/audit-log.js";
import { silentLogger } from "../../server/observability/log.js";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/spawn.js";
import { cleanEnv, runHoosh } from "../harness/cli.js";
import { serveWith, type Served } from "./helpers.js";

vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const KEY = "test-audit-key";
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hoosh-audit-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeLog(name: string, n: number): Promise<string> {
  const path = join(dir, name);
  const log = new AuditLog(KEY, path, silentLogger);
  for (let i = 1; i <= n; i++) void log.append("admin", "pool.update", { pool: "team", capacity_tokens: i * 100 });
  await log.flush();
  return path;
}

describe("hash chain", () => {
  it("appends linked entries that verify", async () => {
    const path = await writeLog("ok.jsonl", 3);
    const entries = (await readFile(path, "utf8")).trim().split("\n").map((l) => JSON.parse(l) as AuditEntry);
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(entries[0]!.prev_hash).toBe(GENESIS);
    expect(entries[1]!.prev_hash).toBe(entries[0]!.hash);
    expect(entries[2]!).toMatchObject({ actor: "admin", action: "pool.update", details: { pool: "team", capacity_tokens: 300 } });
    expect(verifyChain(await readFile(path, "utf8"), KEY)).toEqual({ ok: true, entries: 3 });
  });

  it("continues the file's chain after a restart", async () => {
    const path = await writeLog("resume.jsonl", 2);
    const again = new AuditLog(KEY, path, silentLogger);
    await again.append("admin", "pool.create", { pool: "b" });
    expect(await again.verify()).toEqual({ ok: true, entries: 3 });
  });

  it("detects an edited line at its seq", async () => {
    const path = await writeLog("tampered.jsonl", 4);
    const lines = (await readFile(path, "utf8")).split("\n");
    lines[2] = lines[2]!.replace('"capacity_tokens":300', '"capacity_tokens":999999');
    await writeFile(path, lines.join("\n"));
    expect(verifyChain(await readFile(path, "utf8"), KEY)).toMatchObject({ ok: false, seq: 3, line: 3 });
  });

  it("detects a deleted line and a wrong key", async () => {
    const path = await writeLog("deleted.jsonl", 3);
    const lines = (await readFile(path, "utf8")).split("\n");
    lines.splice(1, 1);
    expect(verifyChain(lines.join("\n"), KEY)).toMatchObject({ ok: false, seq: 3, line: 2 });
    expect(verifyChain(await readFile(path, "utf8"), "other-key")).toMatchObject({ ok: false, seq: 1 });
  });

  it("verifies in memory when there is no file", async () => {
    const log = new AuditLog(KEY, undefined, silentLogger);
    await log.append("a", "x", {});
    await log.append("a", "y", { n: 1n });
    expect(await log.verify()).toEqual({ ok: true, entries: 2 });
  });
});

describe("hoosh audit verify", () => {
  it("prints ok N entries and exits 0", async () => {
    const path = await writeLog("cli-ok.jsonl", 2);
    const res = await runHoosh(["audit", "verify", path], { env: cleanEnv({ HOOSH_AUDIT_KEY: KEY }) });
    expect(res.stdout.trim()).toBe("ok 2 entries");
    expect(res.code).toBe(0);
  });

  it("reports the first broken link and exits 1", async () => {
    const path = await writeLog("cli-bad.jsonl", 3);
    const text = await readFile(path, "utf8");
    await writeFile(path, text.replace('"capacity_tokens":200', '"capacity_tokens":201'));
    const res = await runHoosh(["audit", "verify", path], { env: cleanEnv({ HOOSH_AUDIT_KEY: KEY }) });
    expect(res.stdout).toMatch(/^broken at seq 2 \(line 2\): /);
    expect(res.code).toBe(1);
  });
});

describe("a running hoosh", () => {
  let fake: FakeOpenAI;
  let hoosh: Served;
  const call = async (method: string, body: unknown) => {
    const res = await fetch(`${hoosh.url}/hoosh.v1.BudgetService/${method}`, {
      method: "POST",
      headers: { "content-type": "application/json", "connect-protocol-version": "1" },
      body: JSON.stringify(body),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as Record<string, unknown>;
  };

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    hoosh = await serveWith(fake.baseUrl, `\n[observability]\naudit_path = "audit/audit.jsonl"\naudit_key = "${KEY}"\n`);
  });
  afterAll(async () => {
    await hoosh?.close();
    await fake?.stop();
  });

  it("records pool changes and commits, verifiable over REST and the CLI", async () => {
    await call("CreatePool", { pool: { name: "team", capacityTokens: "1000" } });
    await call("UpdatePool", { pool: { name: "team", capacityTokens: "2000" }, updateMask: "capacityTokens" });
    const { reservationId } = (await call("Reserve", { pool: "team", tokens: "10" })) as { reservationId: string };
    await call("Commit", { reservationId, usage: { inputTokens: 3, outputTokens: 4 } });

    const res = await fetch(`${hoosh.url}/hoosh/admin/audit/verify`);
    expect(await res.json()).toEqual({ ok: true, entries: 3, persisted: true });
    const path = join(hoosh.dir, "audit", "audit.jsonl");
    const entries = (await readFile(path, "utf8")).trim().split("\n").map((l) => JSON.parse(l) as AuditEntry);
    expect(entries.map((e) => e.action)).toEqual(["pool.create", "pool.update", "budget.commit"]);
    expect(entries[2]!.details).toMatchObject({ reservation_id: reservationId, pool: "team", input_tokens: 3, output_tokens: 4 });

    const cli = await runHoosh(["audit", "verify", "--config", join(hoosh.dir, "hoosh.toml"), path]);
    expect(cli.stdout.trim()).toBe("ok 3 entries");
  });
});
