// KeysService and the usage CSV over plain HTTP through a real `hoosh serve`: the google.api.http
// routes under /hoosh/v1/keys (create, get, list, update, rotate, revoke) with their errors as HTTP
// statuses naming the field, and GET /hoosh/v1/budget/usage.csv whose rows reconcile exactly with
// its total, by key and by team, and which a key without admin rights reads for itself only.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { serveWith, type Served } from "../auth/helpers.js";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/spawn.js";
import { ADMIN_KEY, keyedConfig } from "./helpers.js";

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

let fake: FakeOpenAI;
let served: Served;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  served = await serveWith(keyedConfig(fake.baseUrl, `[cache]\nmode = "off"\n`));
});

afterAll(async () => {
  await served?.stop();
  await fake?.stop();
});

interface Answer {
  status: number;
  text: string;
  json: any;
  headers: Headers;
}

async function call(method: string, path: string, key: string | undefined, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (key) headers.authorization = `Bearer ${key}`;
  const res = await fetch(`${served.server.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, headers: res.headers };
}

const chatAs = (key: string, text: string) => call("POST", "/v1/chat/completions", key, { model: "gpt-4o-mini", messages: [{ role: "user", content: text }] });

describe("KeysService over REST (/hoosh/v1/keys)", () => {
  it("create, get, list, update, rotate and revoke; the secret is shown once", async () => {
    const made = await call("POST", "/hoosh/v1/keys", ADMIN_KEY, { name: "rest-app", scopes: ["inference"], models: ["claude-*"], budget: { tokens: "5000", period: "BUDGET_PERIOD_DAILY" } });
    expect(made.status, made.text).toBe(200);
    const { id } = made.json.key;
    const secret: string = made.json.secret;
    expect(secret).toMatch(/^hk_/);
    expect(made.json.key).toMatchObject({ name: "rest-app", source: "KEY_SOURCE_STORED", state: "KEY_STATE_ACTIVE", budgetPool: `key:${id}` });

    const got = await call("GET", `/hoosh/v1/keys/${id}`, ADMIN_KEY);
    expect(got.status).toBe(200);
    expect(got.json.key.id).toBe(id);
    expect(got.text).not.toContain(secret);
    const listed = await call("GET", "/hoosh/v1/keys", ADMIN_KEY);
    expect(listed.json.keys.map((k: { id: string }) => k.id)).toEqual(expect.arrayContaining([id, "root", "config-app"]));
    expect(listed.text).not.toContain(secret);

    // Its models are claude-* only, until an update (update_mask as a query parameter) allows gpt-4o*.
    expect((await chatAs(secret, "before")).status).toBe(403);
    const updated = await call("PATCH", `/hoosh/v1/keys/${id}?update_mask=models`, ADMIN_KEY, { models: ["gpt-4o*"], name: "not-changed" });
    expect(updated.status, updated.text).toBe(200);
    expect(updated.json.key).toMatchObject({ name: "rest-app", models: ["gpt-4o*"] });
    expect((await chatAs(secret, "after")).status).toBe(200);

    const rotated = await call("POST", `/hoosh/v1/keys/${id}:rotate`, ADMIN_KEY, { gracePeriod: "0s" });
    expect(rotated.status, rotated.text).toBe(200);
    const next: string = rotated.json.secret;
    expect(next).not.toBe(secret);
    expect((await chatAs(secret, "old")).status).toBe(401);
    expect((await chatAs(next, "new")).status).toBe(200);

    const revoked = await call("POST", `/hoosh/v1/keys/${id}:revoke`, ADMIN_KEY, {});
    expect(revoked.status, revoked.text).toBe(200);
    expect(revoked.json.key.state).toBe("KEY_STATE_REVOKED");
    expect((await chatAs(next, "revoked")).status).toBe(401);
    const again = await call("POST", `/hoosh/v1/keys/${id}:revoke`, ADMIN_KEY, {});
    expect(again.status).toBe(400);
    expect(again.json.message).toContain("already revoked");
  });

  it("errors: HTTP status and a message naming the field; nothing half-made", async () => {
    const before = (await call("GET", "/hoosh/v1/keys?include_revoked=true", ADMIN_KEY)).json.keys.length;
    const cases: [unknown, number, string][] = [
      [{ name: "rest-neg", scopes: ["inference"], budget: { tokens: "-5", period: "BUDGET_PERIOD_DAILY" } }, 400, "key.budget.tokens"],
      [{ name: "rest-team", team: "nobody", scopes: ["inference"] }, 400, "key.team"],
      [{ name: "rest-glob", scopes: ["inference"], models: ["gpt-{4"] }, 400, "key.models[0]"],
      [{ name: "rest-scope", scopes: ["everything"] }, 400, "key.scopes[0]"],
      [{ name: "root-like", scopes: ["inference"], colour: "red" }, 400, "colour"],
    ];
    for (const [body, status, field] of cases) {
      const r = await call("POST", "/hoosh/v1/keys", ADMIN_KEY, body);
      expect(r.status, r.text).toBe(status);
      expect(r.json.message).toContain(field);
    }
    expect((await call("POST", "/hoosh/v1/keys", ADMIN_KEY, { name: "rest-dup", scopes: ["inference"] })).status).toBe(200);
    const dup = await call("POST", "/hoosh/v1/keys", ADMIN_KEY, { name: "rest-dup", scopes: ["inference"] });
    expect(dup.status).toBe(409);
    expect(dup.json.message).toContain("key.name");
    expect((await call("GET", "/hoosh/v1/keys/k-none", ADMIN_KEY)).status).toBe(404);
    const badMask = await call("PATCH", "/hoosh/v1/keys/root?update_mask=hash", ADMIN_KEY, {});
    expect(badMask.status).toBe(400);
    expect(badMask.json.message).toContain("update_mask");
    const after = (await call("GET", "/hoosh/v1/keys?include_revoked=true", ADMIN_KEY)).json.keys.length;
    expect(after).toBe(before + 1);
  });

  it("needs the admin scope: 401 without a key, 403 with a key without it", async () => {
    expect((await call("GET", "/hoosh/v1/keys", undefined)).status).toBe(401);
    const plain = await call("POST", "/hoosh/v1/keys", ADMIN_KEY, { name: "rest-plain", scopes: ["inference"] });
    const denied = await call("POST", "/hoosh/v1/keys", plain.json.secret, { name: "rest-escalate", scopes: ["admin"] });
    expect(denied.status).toBe(403);
    expect((await call("GET", "/hoosh/v1/keys", ADMIN_KEY)).json.keys.some((k: { name: string }) => k.name === "rest-escalate")).toBe(false);
  });
});

/** A usage CSV as rows of its columns, the total row apart. */
function parseCsv(text: string): { header: string[]; rows: Map<string, string[]>; total: string[] } {
  const [header, ...lines] = text.trimEnd().split("\r\n").map((l) => l.split(","));
  const rows = new Map(lines.map((l) => [l[0]!, l]));
  const total = rows.get("total")!;
  rows.delete("total");
  return { header: header!, rows, total };
}

describe("GET /hoosh/v1/budget/usage.csv", () => {
  it("rows reconcile exactly with the total, by key and by team; a non-admin key reads its own row only", async () => {
    await call("POST", "/hoosh/v1/teams", ADMIN_KEY, { name: "csv-team", budget: { tokens: "1000000", period: "BUDGET_PERIOD_DAILY" } });
    const keys: { id: string; secret: string }[] = [];
    for (const [name, team] of [["csv-a", "csv-team"], ["csv-b", "csv-team"], ["csv-c", ""]] as const) {
      const made = await call("POST", "/hoosh/v1/keys", ADMIN_KEY, { name, team, scopes: ["inference"] });
      expect(made.status, made.text).toBe(200);
      keys.push({ id: made.json.key.id as string, secret: made.json.secret as string });
    }
    const calls = [keys[0]!, keys[0]!, keys[1]!, keys[2]!];
    for (const [i, k] of calls.entries()) expect((await chatAs(k.secret, `csv ${i}`)).status).toBe(200);
    expect((await chatAs(ADMIN_KEY, "a config key, no team")).status).toBe(200);

    const csv = (query: string, key = ADMIN_KEY) => call("GET", `/hoosh/v1/budget/usage.csv?${query}`, key);
    // Usage is settled just after each answer: wait until the report has all of this test's requests.
    const byKey = await vi.waitFor(async () => {
      const r = await csv("group_by=key");
      expect(r.status, r.text).toBe(200);
      const parsed = parseCsv(r.text);
      expect(parsed.rows.get(keys[0]!.id)?.[1]).toBe("2");
      expect(parsed.rows.get("root")?.[1]).toBeDefined();
      return { ...parsed, answer: r };
    });
    expect(byKey.answer.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(byKey.answer.headers.get("content-disposition")).toContain("attachment");
    expect(byKey.header).toEqual(["group", "requests", "input_tokens", "cached_input_tokens", "output_tokens", "reasoning_tokens", "audio_tokens", "cost_usd_micros", "cost_usd", "cache_hits"]);
    const byTeam = parseCsv((await csv("group_by=USAGE_GROUP_BY_TEAM")).text);
    expect(byTeam.rows.get("csv-team")?.[1]).toBe("3");

    // Every count column sums exactly to the total, whichever the grouping, and both totals agree.
    const counted = byKey.header.map((_, i) => i).filter((i) => i > 0 && byKey.header[i] !== "cost_usd");
    for (const report of [byKey, byTeam]) {
      for (const i of counted) {
        const sum = [...report.rows.values()].reduce((s, r) => s + BigInt(r[i]!), 0n);
        expect(sum, byKey.header[i]).toBe(BigInt(report.total[i]!));
      }
    }
    expect(byTeam.total).toEqual(byKey.total);
    expect(BigInt(byKey.total[7]!)).toBeGreaterThan(0n); // cost for every request

    // A key without a budgets scope: its own row, whatever it asks for.
    const own = parseCsv((await csv("group_by=key", keys[1]!.secret)).text);
    expect([...own.rows.keys()]).toEqual([keys[1]!.id]);
    expect(own.total[1]).toBe("1");
    expect((await csv(`group_by=key&key_id=${keys[0]!.id}`, keys[1]!.secret)).status).toBe(403);
  });

  it("bad parameters are 400 naming them; no key is 401", async () => {
    const cases: [string, string][] = [
      ["colour=red", 'query parameter "colour" is not allowed; use: group_by, pool, key_id, team, start_time, end_time'],
      ["group_by=shoe", 'group_by: "shoe" is not one of: pool, model, provider, key, day, team'],
      ["start_time=yesterday", 'start_time: "yesterday" is not allowed; use an RFC 3339 time such as 2026-01-01T00:00:00Z'],
      ["start_time=2026-02-01T00:00:00Z&end_time=2026-01-01T00:00:00Z", "start_time: 2026-02-01T00:00:00.000Z is after end_time 2026-01-01T00:00:00.000Z; the range must not run backwards"],
    ];
    for (const [query, message] of cases) {
      const r = await call("GET", `/hoosh/v1/budget/usage.csv?${query}`, ADMIN_KEY);
      expect(r.status, query).toBe(400);
      expect(r.json.message).toBe(message);
    }
    expect((await call("POST", "/hoosh/v1/budget/usage.csv", ADMIN_KEY, {})).status).toBe(405);
    expect((await call("GET", "/hoosh/v1/budget/usage.csv", undefined)).status).toBe(401);
  });
});
