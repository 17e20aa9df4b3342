// AnthropicProvider against the fake Anthropic upstream: upstream errors,
// broken streams, timeouts, embed, model listing and cancellation.
import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { call, caught, chat, collect, expectError } from "./anthropic-helpers.js";
import { useFakeAnthropic } from "./anthropic-fixture.js";

const fx = useFakeAnthropic();
const { provider, requests } = fx;

describe("upstream errors", () => {
  it("a wrong or missing API key -> Unauthenticated with Anthropic's message, never the key", async () => {
    const err = await caught(() => provider({ apiKey: "sk-ant-wrong" }).generate(chat("m"), call()));
    expectError(err, Code.Unauthenticated, 'provider "claude" answered HTTP 401: invalid x-api-key (type=authentication_error, request_id=req_011');
    expect(err.rawMessage).not.toContain("sk-ant-wrong");
    expectError(await caught(() => provider({ apiKey: undefined }).listModels(call())), Code.Unauthenticated, 'provider "claude" answered HTTP 401: x-api-key header is required');
  });

  it.each([
    ["fake-400", Code.InvalidArgument],
    ["fake-401", Code.Unauthenticated],
    ["fake-403", Code.PermissionDenied],
    ["fake-404", Code.NotFound],
    ["fake-413", Code.InvalidArgument],
    ["fake-500", Code.Unavailable],
    ["fake-529", Code.Unavailable],
  ])("%s -> %s (generate and stream)", async (model, code) => {
    expect(Code[(await caught(() => provider().generate(chat(model), call()))).code]).toBe(Code[code]);
    expect(Code[(await caught(() => collect(provider().generateStream(chat(model), call())))).code]).toBe(Code[code]);
  });

  it("429 -> ResourceExhausted with retry-after", async () => {
    const err = await caught(() => provider().generate(chat("fake-429"), call()));
    expectError(err, Code.ResourceExhausted, 'provider "claude" answered HTTP 429: This request would exceed the rate limit');
    expect(err.metadata.get("retry-after")).toBe("7");
  });

  it("an error event mid-stream -> Unavailable after start and two deltas", async () => {
    const seen: string[] = [];
    const err = await caught(async () => {
      for await (const e of provider().generateStream(chat("fake-stream-error", "a b c d"), call())) seen.push(e.event.case ?? "");
    });
    expectError(err, Code.Unavailable, 'provider "claude" failed mid-stream: Overloaded (type=overloaded_error)');
    expect(seen).toEqual(["start", "text", "text"]);
    expectError(await caught(() => provider().generate(chat("fake-stream-error"), call())), Code.Unavailable, 'provider "claude" answered HTTP 529: Overloaded');
  });

  it("a reset connection -> Unavailable (stream after two deltas, and whole answers)", async () => {
    const seen: string[] = [];
    const err = await caught(async () => {
      for await (const e of provider().generateStream(chat("fake-reset", "a b c d"), call())) seen.push(e.event.case ?? "");
    });
    expectError(err, Code.Unavailable, 'provider "claude" is unreachable');
    expect(seen).toEqual(["start", "text", "text"]);
    expectError(await caught(() => provider().generate(chat("fake-reset"), call())), Code.Unavailable, 'provider "claude" is unreachable');
  });

  it("malformed JSON -> Internal", async () => {
    expectError(await caught(() => collect(provider().generateStream(chat("fake-malformed"), call()))), Code.Internal, 'provider "claude" sent a stream event that is not JSON');
    expectError(await caught(() => provider().generate(chat("fake-malformed"), call())), Code.Internal, 'provider "claude" answered with invalid JSON');
  });

  it("a slow first byte past firstByteMs and a stalled stream past idleMs -> DeadlineExceeded", async () => {
    const slow = await caught(() => provider({ limits: { firstByteMs: 200 } }).generate(chat("fake-slow-first-byte"), call()));
    expectError(slow, Code.DeadlineExceeded, 'provider "claude" timed out (UND_ERR_HEADERS_TIMEOUT)');
    const seen: string[] = [];
    const stalled = await caught(async () => {
      for await (const e of provider({ limits: { idleMs: 200 } }).generateStream(chat("fake-stall-stream"), call())) seen.push(e.event.case ?? "");
    });
    expectError(stalled, Code.DeadlineExceeded, 'provider "claude" timed out (UND_ERR_BODY_TIMEOUT)');
    expect(seen).toEqual(["start"]);
  });

  it("a temperature above 1 fails before any request is sent", async () => {
    const err = await caught(() => collect(provider().generateStream(chat("m", "x", { sampling: { temperature: 1.5, stop: [] } }), call())));
    expectError(err, Code.InvalidArgument, "sampling.temperature: 1.5 is out of range");
    expect(await requests()).toHaveLength(0);
  });
});

describe("embed, models, cancel", () => {
  it("embed -> Unimplemented naming the provider", async () => {
    expectError(await caught(() => provider().embed()), Code.Unimplemented, 'provider "claude" (anthropic) has no embeddings API');
  });

  it("listModels follows has_more/last_id, up to five pages", async () => {
    const all = ["claude-opus-4-1-20250805", "claude-opus-4-20250514", "claude-sonnet-4-20250514", "claude-3-7-sonnet-20250219", "claude-3-5-haiku-20241022", "fake-model"];
    expect(await provider().listModels(call())).toEqual(all);
    await fx.fake().reset();
    expect(await provider({ headers: { "x-fake-page-size": "2" } }).listModels(call())).toEqual(all);
    expect((await requests()).map((r) => `${r.method} ${r.path}?${r.query}`)).toEqual([
      "GET /v1/models?limit=1000",
      "GET /v1/models?limit=1000&after_id=claude-opus-4-20250514",
      "GET /v1/models?limit=1000&after_id=claude-3-7-sonnet-20250219",
    ]);
    expect(await provider({ headers: { "x-fake-page-size": "1" } }).listModels(call())).toEqual(all.slice(0, 5));
  });

  it("aborting mid-stream closes the upstream connection mid-stream", async () => {
    const abort = new AbortController();
    const seen: string[] = [];
    const err = await caught(async () => {
      for await (const e of provider().generateStream(chat("fake-long-stream", "go"), call({ signal: abort.signal }))) {
        seen.push(e.event.case ?? "");
        if (seen.length === 6) {
          abort.abort();
        }
      }
    });
    expect(Code[err.code]).toBe(Code[Code.Canceled]);
    const closed = await fx.fake().waitForEvent((e) => e.type === "client-closed" && e.model === "fake-long-stream");
    expect(closed.type === "client-closed" && closed.afterChunks).toBeLessThan(20);
  });
});
