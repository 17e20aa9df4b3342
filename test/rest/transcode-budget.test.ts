// REST transcoding of BudgetService and the error mapping (google.rpc.Status
// JSON with the grpc-gateway HTTP status table), through a real in-process
// server in front of the fake OpenAI upstream, with plain fetch.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_BODY, startTranscodeServer, type TranscodeServer } from "./transcode-harness.js";

let server: TranscodeServer;
let base: string;

beforeAll(async () => {
  server = await startTranscodeServer();
  ({ base } = server);
});

afterAll(async () => {
  await server?.stop();
});


const send = (method: string, path: string, body?: unknown) =>
  fetch(base + path, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body) });
async function json(res: Response, status: number): Promise<any> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/json");
  return JSON.parse(text);
}
/** 413 with RESOURCE_EXHAUSTED (8) and the reason that makes it 413 on every REST-like surface. */
async function tooLarge(res: Response): Promise<void> {
  const body = await json(res, 413);
  expect(body).toEqual({
    code: 8,
    message: "request body is larger than the 65536 bytes allowed (server.max_body_bytes)",
    details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", domain: "hoosh", reason: "REQUEST_TOO_LARGE" }],
  });
}
async function status(res: Response, httpStatus: number, code: number, message: string | RegExp): Promise<void> {
  const body = await json(res, httpStatus);
  expect(body).toEqual({ code, message: expect.stringMatching(message), details: [] });
}

describe("budget", () => {
  it("GET /hoosh/v1/budget/pools and /hoosh/v1/budget/pools/team", async () => {
    const list = await json(await send("GET", "/hoosh/v1/budget/pools"), 200);
    expect(list.pools.map((p: { name: string }) => p.name)).toContain("team");
    const one = await json(await send("GET", "/hoosh/v1/budget/pools/team"), 200);
    expect(one.pool).toMatchObject({ name: "team", capacityTokens: "1000", period: "BUDGET_PERIOD_NONE" });
  });

  it("POST /hoosh/v1/budget/reservations, then {id}:commit and {id}:release", async () => {
    const held = await json(await send("POST", "/hoosh/v1/budget/reservations", { pool: "team", tokens: "100" }), 200);
    expect(held.reservationId).toMatch(/./);
    expect(held.pool.reservedTokens).toBe("100");
    const commit = `/hoosh/v1/budget/reservations/${encodeURIComponent(held.reservationId)}:commit`;
    const committed = await json(await send("POST", commit, { usage: { inputTokens: 10, outputTokens: 5 } }), 200);
    expect(committed.pool).toMatchObject({ name: "team", usedTokens: "15" });
    expect(committed.pool.reservedTokens).toBeUndefined(); // 0: protobuf JSON omits defaults

    const again = await json(await send("POST", "/hoosh/v1/budget/reservations", { pool: "team", tokens: "50" }), 200);
    const release = `/hoosh/v1/budget/reservations/${encodeURIComponent(again.reservationId)}:release`;
    const released = await json(await send("POST", release, {}), 200);
    expect(released.pool).toMatchObject({ usedTokens: "15" });
    await status(await send("POST", release, {}), 400, 9, /already released/); // FailedPrecondition → 400
  });

  it("PATCH /hoosh/v1/budget/pools/team?update_mask=capacityTokens (FieldMask in the query, pool in the body)", async () => {
    const patched = await json(await send("PATCH", "/hoosh/v1/budget/pools/team?update_mask=capacityTokens", { capacityTokens: "2000" }), 200);
    expect(patched.pool).toMatchObject({ name: "team", capacityTokens: "2000" });
    const created = await json(await send("POST", "/hoosh/v1/budget/pools", { name: "ops", capacityTokens: "5" }), 200);
    expect(created.pool).toMatchObject({ name: "ops", capacityTokens: "5" });
  });

  it("GET /hoosh/v1/budget/usage?groupBy=USAGE_GROUP_BY_MODEL", async () => {
    const report = await json(await send("GET", "/hoosh/v1/budget/usage?groupBy=USAGE_GROUP_BY_MODEL&pool=team"), 200);
    expect(report.total).toBeDefined();
  });
});

describe("errors", () => {
  it("bad JSON and unknown fields are 400 naming the problem", async () => {
    await status(await send("POST", "/hoosh/v1/generate", "{"), 400, 3, /^body: not valid JSON/);
    await status(await send("POST", "/hoosh/v1/generate", { model: "m", bogusField: 1 }), 400, 3, /^body: .*"bogusField" is unknown/);
    await status(await send("POST", "/hoosh/v1/budget/reservations", { pool: "team", tokens: "x" }), 400, 3, /^body: .*tokens/);
    // An unknown enum value names its path, not only its type.
    const robot = { model: "m", messages: [{ role: "ROLE_USER", content: [{ text: "x" }] }, { role: "ROLE_ROBOT", content: [] }] };
    await status(await send("POST", "/hoosh/v1/generate", robot), 400, 3, /^body: messages\[1\]\.role: "ROLE_ROBOT" is not one of: ROLE_UNSPECIFIED, ROLE_SYSTEM/);
  });

  it("bad query values are 400 naming the parameter", async () => {
    await status(await send("GET", "/hoosh/v1/budget/usage?groupBy=BY_NOTHING"), 400, 3, /^query parameter groupBy: "BY_NOTHING" is not one of: USAGE_GROUP_BY_UNSPECIFIED/);
    await status(await send("GET", "/hoosh/v1/hardware?refresh=maybe"), 400, 3, /^query parameter refresh: "maybe" is not a bool/);
    await status(await send("GET", "/hoosh/v1/models?colour=red"), 400, 3, /^query parameter colour: hoosh.v1.ListModelsRequest has no field "colour"/);
    await status(await send("GET", "/hoosh/v1/budget/pools/%zz"), 400, 3, /malformed percent-encoding/);
  });

  it("not found is 404 with a google.rpc.Status body", async () => {
    await status(await send("GET", "/hoosh/v1/budget/pools/nope"), 404, 5, /nope/);
    await status(await send("GET", "/hoosh/v1/models/other/model"), 404, 5, /other\/model/);
  });

  it("an over-budget reservation is 429", async () => {
    await status(await send("POST", "/hoosh/v1/budget/reservations", { pool: "team", tokens: "1000000" }), 429, 8, /team/);
  });

  it("a matched path with the wrong method is 405 with Allow", async () => {
    const res = await send("DELETE", "/hoosh/v1/generate");
    expect(res.headers.get("allow")).toBe("POST");
    await status(res, 405, 12, /method DELETE is not allowed/);
    const pools = await send("PUT", "/hoosh/v1/budget/pools");
    expect(pools.headers.get("allow")).toBe("GET, POST");
    await status(pools, 405, 12, /use GET, POST/);
  });

  it("a body over max_body_bytes is 413, with or without Content-Length", async () => {
    const big = JSON.stringify({ model: "m", user: "x".repeat(MAX_BODY) });
    await tooLarge(await send("POST", "/hoosh/v1/generate", big));
    const chunked = new ReadableStream({
      start(c) {
        for (let i = 0; i < 4; i++) c.enqueue(new TextEncoder().encode(big.slice(i * 20_000, (i + 1) * 20_000)));
        c.close();
      },
    });
    const res = await fetch(`${base}/hoosh/v1/generate`, { method: "POST", body: chunked, duplex: "half" } as RequestInit);
    await tooLarge(res);
    expect((await send("GET", "/hoosh/v1/budget/pools/team")).status).toBe(200); // the server is fine afterwards
  });

  it("paths no rule matches pass to the next handler (here the 404 fallback); Connect RPCs still work", async () => {
    expect((await send("GET", "/hoosh/v1/nothing-here")).status).toBe(404);
    expect((await send("GET", "/v1/models")).status).toBe(404);
    const rpc = await send("POST", "/hoosh.v1.BudgetService/GetPool", { name: "team" });
    expect((await json(rpc, 200)).pool.name).toBe("team");
  });
});
