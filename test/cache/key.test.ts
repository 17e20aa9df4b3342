import { clone, create, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";

import { Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { GenerateRequestSchema, type GenerateRequest } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { cacheKey, canonicalJson } from "../../server/core/cache/key.js";
import { request } from "./helpers.js";

const base = cacheKey(request());
const changed = (mutate: (r: GenerateRequest) => void) => {
  const r = request();
  mutate(r);
  return cacheKey(r);
};

describe("cacheKey", () => {
  it("is a stable base64url sha256", () => {
    expect(base).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cacheKey(request())).toBe(base);
    expect(cacheKey(clone(GenerateRequestSchema, request()))).toBe(base);
  });

  it("ignores object identity, map order and JSON key order", () => {
    const r = request({
      metadata: { env: "dev", team: "a" },
      tools: [{ name: "lookup", description: "Look up", parameters: { required: ["q"], properties: { q: { type: "string" } }, type: "object" } }],
    });
    expect(cacheKey(r)).toBe(base);
  });

  it("ignores metadata, user, budget pool, cache control and routing", () => {
    expect(changed((r) => (r.metadata = { other: "x" }))).toBe(base);
    expect(changed((r) => (r.user = "someone-else"))).toBe(base);
    expect(changed((r) => (r.budgetPool = "team-b"))).toBe(base);
    expect(changed((r) => (r.cache = { $typeName: "hoosh.v1.CacheControl", noCache: true, noStore: true, ttlSeconds: 9 }))).toBe(base);
    expect(changed((r) => (r.routing = { $typeName: "hoosh.v1.RoutingHints", provider: "groq", strategy: 4, fallbackModels: ["x"] }))).toBe(base);
  });

  const variants: Array<[string, (r: GenerateRequest) => void]> = [
    ["model", (r) => (r.model = "gpt-4o")],
    ["message text", (r) => { const p = r.messages[1]!.content[0]!.part; if (p.case === "text") p.value = "Hi!"; }],
    ["role", (r) => (r.messages[0]!.role = Role.USER)],
    ["message name", (r) => (r.messages[1]!.name = "bob")],
    ["tool_call_id", (r) => (r.messages[1]!.toolCallId = "c1")],
    ["message order", (r) => r.messages.reverse()],
    ["extra message", (r) => r.messages.push(clone(GenerateRequestSchema, request()).messages[1]!)],
    ["tool calls", (r) => r.messages[1]!.toolCalls.push({ $typeName: "hoosh.v1.ToolCall", id: "c", name: "lookup", arguments: "{}" })],
    ["image url", (r) => r.messages[1]!.content.push({ $typeName: "hoosh.v1.ContentPart", part: { case: "image", value: { $typeName: "hoosh.v1.ImagePart", source: { case: "url", value: "https://x/a.png" }, mimeType: "", detail: 0 } } })],
    ["image bytes", (r) => r.messages[1]!.content.push({ $typeName: "hoosh.v1.ContentPart", part: { case: "image", value: { $typeName: "hoosh.v1.ImagePart", source: { case: "data", value: new Uint8Array([1, 2, 3]) }, mimeType: "image/png", detail: 0 } } })],
    ["tool description", (r) => (r.tools[0]!.description = "Find")],
    ["tool parameters", (r) => (r.tools[0]!.parameters = { type: "object" })],
    ["tool strict", (r) => (r.tools[0]!.strict = true)],
    ["no tools", (r) => (r.tools = [])],
    ["tool_choice", (r) => (r.toolChoice = { $typeName: "hoosh.v1.ToolChoice", choice: { case: "mode", value: 3 } })],
    ["tool_choice function", (r) => (r.toolChoice = { $typeName: "hoosh.v1.ToolChoice", choice: { case: "functionName", value: "lookup" } })],
    ["parallel_tool_calls", (r) => (r.parallelToolCalls = false)],
    ["temperature", (r) => (r.sampling!.temperature = 0.5)],
    ["temperature unset", (r) => (r.sampling!.temperature = undefined)],
    ["top_p", (r) => (r.sampling!.topP = 0.9)],
    ["max_tokens", (r) => (r.sampling!.maxTokens = 65)],
    ["stop", (r) => (r.sampling!.stop = ["\n"])],
    ["seed", (r) => (r.sampling!.seed = 7n)],
    ["presence_penalty", (r) => (r.sampling!.presencePenalty = 0.1)],
    ["frequency_penalty", (r) => (r.sampling!.frequencyPenalty = 0.1)],
    ["response_format", (r) => (r.responseFormat = { $typeName: "hoosh.v1.ResponseFormat", type: 2, schemaName: "", strict: false })],
  ];
  it.each(variants)("changes with %s", (_name, mutate) => {
    expect(changed(mutate)).not.toBe(base);
  });

  it("tells apart different image bytes and keeps fields unambiguous", () => {
    const img = (b: number[]) => request({ messages: [{ role: Role.USER, content: [{ part: { case: "image", value: { source: { case: "data", value: new Uint8Array(b) }, mimeType: "image/png" } } }] }] });
    expect(cacheKey(img([1, 2]))).not.toBe(cacheKey(img([1, 3])));
    const two = (a: string, b: string) => request({ messages: [{ role: Role.USER, content: [{ part: { case: "text", value: a } }, { part: { case: "text", value: b } }] }] });
    expect(cacheKey(two("ab", "c"))).not.toBe(cacheKey(two("a", "bc")));
  });

  it("canonicalJson sorts keys at every depth", () => {
    expect(canonicalJson({ b: [{ d: 1, c: null }], a: "x" })).toBe('{"a":"x","b":[{"c":null,"d":1}]}');
  });

  it("binary encoding is not canonical for maps/Struct (why key.ts does not use it)", () => {
    const a = create(GenerateRequestSchema, { model: "m", metadata: { a: "1", b: "2" } });
    const b = create(GenerateRequestSchema, { model: "m", metadata: { b: "2", a: "1" } });
    expect(toBinary(GenerateRequestSchema, a)).not.toEqual(toBinary(GenerateRequestSchema, b));
  });
});

describe("cacheKey framing", () => {
  it("keeps numbers and strings apart (role + name length) and handles lone surrogates", () => {
    const m = (role: Role, name: string) => request({ messages: [{ role, name, content: [] }] });
    // "m1" + "'23:..." vs "m12" + "'3:..." would collide without the quote.
    expect(cacheKey(m(1, "x".repeat(23)))).not.toBe(cacheKey(m(12 as Role, "xxx")));
    const t = (value: string) => request({ messages: [{ role: Role.USER, content: [{ part: { case: "text", value } }] }] });
    expect(cacheKey(t("\uD800"))).not.toBe(cacheKey(t("\uDBFF")));
    expect(cacheKey(t("😀"))).toBe(cacheKey(t("\uD83D\uDE00")));
  });
});
