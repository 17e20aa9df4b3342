// The fake Ollama itself, exercised with plain fetch: the documented formats
// the adapter tests rely on (streaming by default, NDJSON, error bodies).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeOllama, type FakeOllama } from "../fakes/spawn-ollama.js";

type Json = Record<string, any>;
let fake: FakeOllama;

beforeAll(async () => {
  fake = await startFakeOllama({ slowMs: 300 });
}, 20_000);

afterAll(async () => {
  await fake?.stop();
});

beforeEach(async () => {
  await fake.reset();
});

const post = (path: string, body: unknown) =>
  fetch(`${fake.baseUrl}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });
const user = (content: string, extra: Json = {}) => ({ role: "user", content, ...extra });
const ndjson = async (res: Response): Promise<Json[]> => (await res.text()).trim().split("\n").map((l) => JSON.parse(l) as Json);

describe("POST /api/chat", () => {
  it("streams NDJSON when stream is absent (Ollama's default), ending with a done:true line with counts", async () => {
    const res = await post("/api/chat", { model: "llama3.2", messages: [user("hi there")] });
    expect(res.headers.get("content-type")).toBe("application/x-ndjson");
    const lines = await ndjson(res);
    expect(lines.map((l) => l.message.content).join("")).toBe("echo: hi there");
    expect(lines.slice(0, -1).every((l) => l.done === false)).toBe(true);
    expect(lines.at(-1)).toMatchObject({ done: true, done_reason: "stop", prompt_eval_count: 5, eval_count: 3 });
    expect(lines[0]!.created_at).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
    expect((await fake.events())[0]).toMatchObject({ type: "request", stream: true, model: "llama3.2", at: expect.any(Number) });
  });

  it("answers one JSON object with stream:false; a tool call has object arguments and no id", async () => {
    const tools = [{ type: "function", function: { name: "get_time", parameters: { type: "object", properties: { zone: { type: "string" } } } } }];
    const res = await post("/api/chat", { model: "llama3.2", stream: false, tools, messages: [user("call tool now")] });
    expect(res.headers.get("content-type")).toContain("application/json");
    const body = (await res.json()) as Json;
    expect(body.message).toEqual({ role: "assistant", content: "", tool_calls: [{ function: { index: 0, name: "get_time", arguments: { zone: "Paris" } } }] });
    expect(body).toMatchObject({ done: true, done_reason: "stop" });
  });

  it("format json and a schema give JSON text; no messages only loads the model", async () => {
    const json = (await (await post("/api/chat", { model: "m", stream: false, format: "json", messages: [user("x")] })).json()) as Json;
    expect(JSON.parse(json.message.content)).toEqual({ echo: "x" });
    const schema = { type: "object", properties: { age: { type: "integer" } } };
    const typed = (await (await post("/api/chat", { model: "m", stream: false, format: schema, messages: [user("x")] })).json()) as Json;
    expect(JSON.parse(typed.message.content)).toEqual({ age: 42 });
    expect(await (await post("/api/chat", { model: "m", messages: [] })).json()).toMatchObject({ done: true, done_reason: "load" });
  });

  it("rejects what Ollama rejects: string arguments, non-base64 images, array content, no model", async () => {
    const bad = async (body: unknown) => {
      const res = await post("/api/chat", body);
      return [res.status, ((await res.json()) as Json).error as string] as const;
    };
    const args = { role: "assistant", content: "", tool_calls: [{ function: { name: "f", arguments: '{"a":1}' } }] };
    expect(await bad({ model: "m", messages: [user("x"), args] })).toEqual([400, expect.stringContaining("cannot unmarshal string into Go struct field ToolCallFunction")]);
    expect(await bad({ model: "m", messages: [user("x", { images: ["data:image/png;base64,AAAA"] })] })).toEqual([400, "illegal base64 data at input byte 0"]);
    expect(await bad({ model: "m", messages: [{ role: "user", content: [{ type: "text", text: "x" }] }] })).toEqual([400, expect.stringContaining("cannot unmarshal array")]);
    expect(await bad({ messages: [] })).toEqual([400, "model is required"]);
    expect(await bad("{oops")).toEqual([400, "invalid character '{' looking for beginning of value"]);
  });

  it("scripted failures: 404 with Ollama's message, an error line after two lines, a non-JSON line", async () => {
    const missing = await post("/api/chat", { model: "fake-404", messages: [user("x")] });
    expect([missing.status, await missing.json()]).toEqual([404, { error: 'model "fake-404" not found, try pulling it first' }]);
    const lines = (await (await post("/api/chat", { model: "fake-stream-error", messages: [user("a b c")] })).text()).trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[2]!)).toEqual({ error: expect.stringContaining("an error was encountered") });
    expect(await (await post("/api/chat", { model: "fake-malformed", messages: [user("a b c")] })).text()).toContain("\nthis line is not JSON\n");
  });
});

describe("other endpoints", () => {
  it("/api/embed, /api/tags, /api/version, / and unknown paths", async () => {
    const embed = (await (await post("/api/embed", { model: "nomic-embed-text", input: ["a", "b c"], dimensions: 3 })).json()) as Json;
    expect(embed.embeddings.map((v: number[]) => v.length)).toEqual([3, 3]);
    expect(embed.prompt_eval_count).toBe(3);
    const tags = (await (await fetch(`${fake.baseUrl}/api/tags`)).json()) as Json;
    expect(tags.models[0]).toMatchObject({ name: "llama3.2:latest", model: "llama3.2:latest", details: { family: "llama", parameter_size: "3.2B", quantization_level: "Q4_K_M" } });
    expect(await (await fetch(`${fake.baseUrl}/api/version`)).json()).toEqual({ version: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
    expect(await (await fetch(`${fake.baseUrl}/`)).text()).toBe("Ollama is running");
    const unknown = await post("/v1/chat/completions", {});
    expect([unknown.status, await unknown.text()]).toEqual([404, "404 page not found"]);
  });

  it("records a client that leaves mid-stream, with the time it left", async () => {
    const ac = new AbortController();
    const res = await fetch(`${fake.baseUrl}/api/chat`, { method: "POST", body: JSON.stringify({ model: "fake-long-stream", messages: [user("go")] }), signal: ac.signal });
    const reader = res.body!.getReader();
    await reader.read();
    const abortedAt = Date.now();
    ac.abort();
    const closed = await fake.waitForEvent((e) => e.type === "client-closed");
    expect(closed).toMatchObject({ type: "client-closed", path: "/api/chat", model: "fake-long-stream" });
    // A timestamp of the moment the connection closed (latency bounds are asserted through hoosh elsewhere).
    expect(closed.at).toBeGreaterThanOrEqual(abortedAt - 5);
    expect(closed.at).toBeLessThan(abortedAt + 2_000);
  });
});
