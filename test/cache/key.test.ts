import { clone, create, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";

import { ImageDetail, ResponseFormat_Type, Role, RoutingStrategy, ToolChoice_Mode, ToolChoiceSchema, type ContentPart } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { GenerateRequestSchema, type GenerateRequest } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { cacheKey, canonicalJson, type KeyContext } from "../../server/core/cache/key.js";
import { request } from "./helpers.js";

// Keys are computed inside the tests, never at import: a throw at import would leave no test to
// fail (and a mutant in key.ts would survive the mutation run).
const baseKey = () => cacheKey(request());
const changed = (mutate: (r: GenerateRequest) => void) => {
  const r = request();
  mutate(r);
  return cacheKey(r);
};

/** A request with every keyed field set, so each value can be changed on its own. */
function rich(): GenerateRequest {
  return create(GenerateRequestSchema, {
    model: "gpt-4o-mini",
    messages: [
      { role: Role.SYSTEM, content: [{ part: { case: "text", value: "Be brief." } }] },
      {
        role: Role.USER,
        name: "ann",
        content: [
          { part: { case: "text", value: "What is in these?" } },
          { part: { case: "image", value: { source: { case: "url", value: "https://example.com/a.png" }, mimeType: "image/png", detail: ImageDetail.HIGH } } },
          { part: { case: "image", value: { source: { case: "data", value: new Uint8Array([1, 2, 3]) }, mimeType: "image/jpeg", detail: ImageDetail.LOW } } },
          { part: { case: "audio", value: { data: new Uint8Array([4, 5, 6]), format: "wav" } } },
        ],
      },
      { role: Role.ASSISTANT, content: [{ part: { case: "text", value: "Let me look." } }], toolCalls: [{ id: "call_1", name: "lookup", arguments: '{"q":"a"}' }] },
      { role: Role.TOOL, toolCallId: "call_1", content: [{ part: { case: "text", value: "found" } }] },
    ],
    tools: [{ name: "lookup", description: "Look up", parameters: { type: "object", properties: { q: { type: "string" } } }, strict: false }],
    toolChoice: { choice: { case: "functionName", value: "lookup" } },
    parallelToolCalls: true,
    sampling: { temperature: 0, topP: 0.5, maxTokens: 64, stop: ["\n\n", "END"], seed: 7n, presencePenalty: 0.1, frequencyPenalty: 0.2 },
    responseFormat: { type: ResponseFormat_Type.JSON_SCHEMA, schemaName: "answer", jsonSchema: { type: "object", properties: { a: { type: "string" } } }, strict: true },
    routing: { provider: "openai", strategy: RoutingStrategy.PRIORITY, fallbackModels: ["gpt-4o"] },
    metadata: { team: "a" },
    user: "u1",
    budgetPool: "team-a",
  });
}

const CONTEXT: KeyContext = { partition: "team:team-a", models: ["gpt-4o-mini", "gpt-4o"] };
const richKey = () => cacheKey(rich(), CONTEXT);
const richChanged = (mutate: (r: GenerateRequest) => void, ctx: KeyContext = CONTEXT) => {
  const r = rich();
  mutate(r);
  return cacheKey(r, ctx);
};
/** The branches rich() does not take: a tool_choice mode, an image without a source, an empty part, flags off, no sampling, a lone surrogate. */
function odd(): GenerateRequest {
  return create(GenerateRequestSchema, {
    model: "m\uD800",
    messages: [{ role: Role.USER, content: [{ part: { case: "image", value: { mimeType: "image/png" } } }, { part: { case: undefined } }] }],
    tools: [{ name: "t", strict: true }],
    toolChoice: { choice: { case: "mode", value: ToolChoice_Mode.REQUIRED } },
    parallelToolCalls: false,
    responseFormat: { type: ResponseFormat_Type.JSON_OBJECT, strict: false },
  });
}

const part = (r: GenerateRequest, m: number, p: number): ContentPart["part"] => r.messages[m]!.content[p]!.part;

describe("cacheKey", () => {
  it("is a stable base64url sha256", () => {
    expect(baseKey()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cacheKey(request())).toBe(baseKey());
    expect(cacheKey(clone(GenerateRequestSchema, request()))).toBe(baseKey());
  });

  // The Redis tier keeps entries across versions and replicas: a change of format must change
  // the version prefix ("v2" today). If this fails, the format changed: bump the prefix in
  // key.ts and pin the new values here.
  it("gives fixed keys for fixed requests (format v2)", () => {
    expect(baseKey()).toBe("7-Pu7CsJ5jG4NoBxaQ_qRhbl2u6onF11ObXfeudEicA");
    expect(richKey()).toBe("QQIzNjpOcdRw6W_FchYsX1nejMjf2SOlFkYl1uFtMQI");
    expect(cacheKey(odd())).toBe("lZBGn5apJUyWyqZlaMYUbFdlz9fG1cIBCQcSVrnW-dU");
  });

  it("ignores object identity, map order and JSON key order", () => {
    const r = request({
      metadata: { env: "dev", team: "a" },
      tools: [{ name: "lookup", description: "Look up", parameters: { required: ["q"], properties: { q: { type: "string" } }, type: "object" } }],
    });
    expect(cacheKey(r)).toBe(baseKey());
  });

  it("ignores metadata, user, budget pool and cache control", () => {
    expect(richChanged((r) => (r.metadata = { other: "x" }))).toBe(richKey());
    expect(richChanged((r) => (r.user = "someone-else"))).toBe(richKey());
    expect(richChanged((r) => (r.budgetPool = "team-b"))).toBe(richKey());
    expect(richChanged((r) => (r.cache = { $typeName: "hoosh.v1.CacheControl", noCache: true, noStore: true, ttlSeconds: 9 }))).toBe(richKey());
  });

  it("a tool_choice with no choice set is no tool_choice", () => {
    expect(richChanged((r) => (r.toolChoice = create(ToolChoiceSchema)))).toBe(richChanged((r) => (r.toolChoice = undefined)));
  });

  it("unset routing and empty routing are the same request; no context is the model alone, shared by all", () => {
    expect(changed((r) => (r.routing = { $typeName: "hoosh.v1.RoutingHints", provider: "", strategy: 0, fallbackModels: [] }))).toBe(baseKey());
    expect(cacheKey(request(), { partition: "", models: ["gpt-4o-mini"] })).toBe(baseKey());
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
    ["sampling unset", (r) => (r.sampling = undefined)],
    ["response_format", (r) => (r.responseFormat = { $typeName: "hoosh.v1.ResponseFormat", type: 2, schemaName: "", strict: false })],
    ["routing provider", (r) => (r.routing = { $typeName: "hoosh.v1.RoutingHints", provider: "groq", strategy: 0, fallbackModels: [] })],
    ["routing strategy", (r) => (r.routing = { $typeName: "hoosh.v1.RoutingHints", provider: "", strategy: RoutingStrategy.DIRECT, fallbackModels: [] })],
    ["routing fallback", (r) => (r.routing = { $typeName: "hoosh.v1.RoutingHints", provider: "", strategy: 0, fallbackModels: ["premium-big"] })],
  ];
  it.each(variants)("changes when %s is added or set", (_name, mutate) => {
    expect(changed(mutate)).not.toBe(baseKey());
  });

  // Each keyed VALUE, changed on its own in a request where everything is set, changes the key.
  const values: Array<[string, (r: GenerateRequest) => void]> = [
    ["model", (r) => (r.model = "gpt-4o-mini-2")],
    ["message role", (r) => (r.messages[3]!.role = Role.USER)],
    ["message name", (r) => (r.messages[1]!.name = "bob")],
    ["tool_call_id", (r) => (r.messages[3]!.toolCallId = "call_2")],
    ["text", (r) => { const p = part(r, 1, 0); if (p.case === "text") p.value = "What is in those?"; }],
    ["image url", (r) => { const p = part(r, 1, 1); if (p.case === "image") p.value.source = { case: "url", value: "https://example.com/b.png" }; }],
    ["image url to data", (r) => { const p = part(r, 1, 1); if (p.case === "image") p.value.source = { case: "data", value: new TextEncoder().encode("https://example.com/a.png") }; }],
    ["image source unset", (r) => { const p = part(r, 1, 1); if (p.case === "image") p.value.source = { case: undefined }; }],
    ["image mime type", (r) => { const p = part(r, 1, 1); if (p.case === "image") p.value.mimeType = "image/webp"; }],
    ["image detail", (r) => { const p = part(r, 1, 1); if (p.case === "image") p.value.detail = ImageDetail.AUTO; }],
    ["image bytes", (r) => { const p = part(r, 1, 2); if (p.case === "image" && p.value.source.case === "data") p.value.source.value = new Uint8Array([1, 2, 4]); }],
    ["image bytes mime type", (r) => { const p = part(r, 1, 2); if (p.case === "image") p.value.mimeType = "image/png"; }],
    ["audio bytes", (r) => { const p = part(r, 1, 3); if (p.case === "audio") p.value.data = new Uint8Array([4, 5, 7]); }],
    ["audio format", (r) => { const p = part(r, 1, 3); if (p.case === "audio") p.value.format = "mp3"; }],
    ["empty content part", (r) => (r.messages[1]!.content[3]!.part = { case: undefined })],
    ["tool call id", (r) => (r.messages[2]!.toolCalls[0]!.id = "call_9")],
    ["tool call name", (r) => (r.messages[2]!.toolCalls[0]!.name = "search")],
    ["tool call arguments", (r) => (r.messages[2]!.toolCalls[0]!.arguments = '{"q":"b"}')],
    ["tool name", (r) => (r.tools[0]!.name = "search")],
    ["tool description", (r) => (r.tools[0]!.description = "Find")],
    ["tool parameters value", (r) => (r.tools[0]!.parameters = { type: "object", properties: { q: { type: "number" } } })],
    ["tool parameters unset", (r) => (r.tools[0]!.parameters = undefined)],
    ["tool strict", (r) => (r.tools[0]!.strict = true)],
    ["tool_choice function name", (r) => (r.toolChoice!.choice = { case: "functionName", value: "search" })],
    ["tool_choice mode", (r) => (r.toolChoice!.choice = { case: "mode", value: ToolChoice_Mode.AUTO })],
    ["tool_choice mode value", (r) => (r.toolChoice!.choice = { case: "mode", value: ToolChoice_Mode.NONE })],
    ["tool_choice unset", (r) => (r.toolChoice = undefined)],
    ["parallel_tool_calls false", (r) => (r.parallelToolCalls = false)],
    ["parallel_tool_calls unset", (r) => (r.parallelToolCalls = undefined)],
    ["temperature", (r) => (r.sampling!.temperature = 0.1)],
    ["top_p", (r) => (r.sampling!.topP = 0.6)],
    ["max_tokens", (r) => (r.sampling!.maxTokens = 65)],
    ["seed", (r) => (r.sampling!.seed = 8n)],
    ["presence_penalty", (r) => (r.sampling!.presencePenalty = 0.3)],
    ["frequency_penalty", (r) => (r.sampling!.frequencyPenalty = 0.3)],
    ["stop value", (r) => (r.sampling!.stop = ["\n\n", "STOP"])],
    ["stop order", (r) => r.sampling!.stop.reverse()],
    ["response_format type", (r) => (r.responseFormat!.type = ResponseFormat_Type.JSON_OBJECT)],
    ["json_schema name", (r) => (r.responseFormat!.schemaName = "reply")],
    ["json_schema value", (r) => (r.responseFormat!.jsonSchema = { type: "object", properties: { a: { type: "number" } } })],
    ["json_schema strict", (r) => (r.responseFormat!.strict = false)],
    ["response_format unset", (r) => (r.responseFormat = undefined)],
    ["routing provider", (r) => (r.routing!.provider = "azure")],
    ["routing strategy", (r) => (r.routing!.strategy = RoutingStrategy.ROUND_ROBIN)],
    ["routing fallback model", (r) => (r.routing!.fallbackModels = ["gpt-4.1"])],
    ["routing fallback added", (r) => r.routing!.fallbackModels.push("gpt-4.1")],
    ["routing unset", (r) => (r.routing = undefined)],
  ];
  it.each(values)("changes with the value of %s", (_name, mutate) => {
    expect(richChanged(mutate)).not.toBe(richKey());
  });

  it("changes with the partition and with the models the request reaches", () => {
    expect(richChanged(() => {}, { ...CONTEXT, partition: "team:team-b" })).not.toBe(richKey());
    expect(richChanged(() => {}, { ...CONTEXT, partition: "" })).not.toBe(richKey());
    expect(richChanged(() => {}, { ...CONTEXT, models: ["gpt-4o-mini"] })).not.toBe(richKey());
    expect(richChanged(() => {}, { ...CONTEXT, models: ["gpt-4o", "gpt-4o-mini"] })).not.toBe(richKey());
    expect(richChanged(() => {}, { ...CONTEXT, models: ["gpt-4o-mini", "gpt-4.1"] })).not.toBe(richKey());
    // A partition and a model cannot stand in for each other.
    const r = request({ model: "b" });
    expect(cacheKey(r, { partition: "a", models: ["b"] })).not.toBe(cacheKey(request({ model: "ab" }), { partition: "", models: ["b"] }));
  });

  it("tells apart different image bytes and keeps fields unambiguous", () => {
    const img = (b: number[]) => request({ messages: [{ role: Role.USER, content: [{ part: { case: "image", value: { source: { case: "data", value: new Uint8Array(b) }, mimeType: "image/png" } } }] }] });
    expect(cacheKey(img([1, 2]))).not.toBe(cacheKey(img([1, 3])));
    const two = (a: string, b: string) => request({ messages: [{ role: Role.USER, content: [{ part: { case: "text", value: a } }, { part: { case: "text", value: b } }] }] });
    expect(cacheKey(two("ab", "c"))).not.toBe(cacheKey(two("a", "bc")));
    const stops = (s: string[]) => request({ sampling: { temperature: 0, stop: s } });
    expect(cacheKey(stops(["ab", "c"]))).not.toBe(cacheKey(stops(["a", "bc"])));
    const fallbacks = (f: string[]) => request({ routing: { fallbackModels: f } });
    expect(cacheKey(fallbacks(["ab", "c"]))).not.toBe(cacheKey(fallbacks(["a", "bc"])));
    const calls = (args: string, name: string) => request({ messages: [{ role: Role.ASSISTANT, toolCalls: [{ id: "c", name, arguments: args }] }] });
    expect(cacheKey(calls("{}", "ab"))).not.toBe(cacheKey(calls("}", "a{b")));
  });

  it("canonicalJson sorts keys at every depth", () => {
    expect(canonicalJson({ b: [{ d: 1, c: null }], a: "x" })).toBe('{"a":"x","b":[{"c":null,"d":1}]}');
    expect(canonicalJson(undefined)).toBe("-");
    expect(canonicalJson([])).toBe("[]");
    expect(canonicalJson([1, "a", true])).toBe('[1,"a",true]');
    expect(canonicalJson({})).toBe("{}");
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
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

  it("hashes bytes whole: the same bytes in two messages or one, and bytes before text", () => {
    const audio = (b: number[]) => ({ part: { case: "audio" as const, value: { data: new Uint8Array(b), format: "wav" } } });
    const text = (value: string) => ({ part: { case: "text" as const, value } });
    const a = request({ messages: [{ role: Role.USER, content: [audio([1, 2]), text("x")] }] });
    const b = request({ messages: [{ role: Role.USER, content: [audio([1]), audio([2]), text("x")] }] });
    expect(cacheKey(a)).not.toBe(cacheKey(b));
    expect(cacheKey(a)).toBe(cacheKey(clone(GenerateRequestSchema, a)));
    // Text written after bytes still counts.
    const c = request({ messages: [{ role: Role.USER, content: [audio([1, 2]), text("y")] }] });
    expect(cacheKey(a)).not.toBe(cacheKey(c));
  });
});
