// The fake Gemini upstream itself: process contract and Google-faithful behaviour
// the adapter tests rely on (raw HTTP, no hoosh code involved).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeGemini, type FakeGemini } from "../fakes/spawn-gemini.js";

const KEY = "AIza-fake-self-test";
let fake: FakeGemini;
beforeAll(async () => {
  fake = await startFakeGemini({ apiKey: KEY });
}, 20_000);
afterAll(async () => {
  await fake?.stop();
});
beforeEach(async () => {
  await fake.reset();
});

const post = (path: string, body: unknown, headers: Record<string, string> = { "x-goog-api-key": KEY }) =>
  fetch(`${fake.baseUrl}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
const hello = { contents: [{ role: "user", parts: [{ text: "hi there" }] }] };

describe("fake Gemini upstream", () => {
  it("runs as its own process on loopback and exits on SIGTERM", async () => {
    const other = await startFakeGemini();
    expect(other.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(other.pid).not.toBe(process.pid);
    await other.stop();
    expect(() => process.kill(other.pid, 0)).toThrow();
  });

  it("accepts the key as ?key= too (as Google does) and records where it came from, never its value", async () => {
    const res = await fetch(`${fake.baseUrl}/models/gemini-2.0-flash:generateContent?key=${KEY}`, { method: "POST", body: JSON.stringify(hello) });
    expect(res.status).toBe(200);
    const [event] = await fake.events();
    expect(event).toMatchObject({ type: "request", query: { key: "(redacted)" }, headers: { keyInQuery: true, "x-goog-api-key": false } });
    expect(JSON.stringify(await fake.events())).not.toContain(KEY);
  });

  it("streamGenerateContent without alt=sse answers one JSON array of chunks", async () => {
    const res = await post("/models/gemini-2.0-flash:streamGenerateContent", hello);
    expect(res.headers.get("content-type")).toContain("application/json");
    const chunks = (await res.json()) as { candidates: { content: { parts: { text: string }[] }; finishReason?: string }[] }[];
    expect(chunks.map((c) => c.candidates[0]!.content.parts[0]!.text).join("")).toBe("echo: hi there");
    expect(chunks.at(-1)!.candidates[0]!.finishReason).toBe("STOP");
  });

  it("rejects what Google rejects: unknown fields, bad roles, unmatched function responses", async () => {
    const unknown = await post("/models/gemini-2.0-flash:generateContent", { ...hello, temperature: 1 });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ error: { status: "INVALID_ARGUMENT", message: 'Invalid JSON payload received. Unknown name "temperature": Cannot find field.' } });
    const role = await post("/models/gemini-2.0-flash:generateContent", { contents: [{ role: "assistant", parts: [{ text: "x" }] }] });
    expect(await role.json()).toMatchObject({ error: { code: 400, message: "Please use a valid role: user, model." } });
    const unmatched = await post("/models/gemini-2.0-flash:generateContent", {
      contents: [
        { role: "model", parts: [{ functionCall: { name: "f", args: {} } }] },
        { role: "user", parts: [{ functionResponse: { name: "f", response: {} } }, { functionResponse: { name: "f", response: {} } }] },
      ],
    });
    expect(await unmatched.json()).toMatchObject({ error: { message: expect.stringContaining("number of function response parts is equal") } });
  });

  it("answers unknown URLs with Google's HTML 404 page", async () => {
    const res = await post("/models/gemini-2.0-flash:doSomething", hello);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("text/html");
  });

  it("timestamps client-closed events (ms since epoch)", async () => {
    const ac = new AbortController();
    const res = await fetch(`${fake.baseUrl}/models/fake-long-stream:streamGenerateContent?alt=sse`, {
      method: "POST",
      headers: { "x-goog-api-key": KEY },
      body: JSON.stringify(hello),
      signal: ac.signal,
    });
    const reader = res.body!.getReader();
    await reader.read();
    const abortedAt = Date.now();
    ac.abort();
    const closed = await fake.waitForEvent((e) => e.type === "client-closed" && e.model === "fake-long-stream");
    expect(closed.at).toBeGreaterThanOrEqual(abortedAt - 5);
    expect(closed.type === "client-closed" && closed.afterChunks).toBeLessThan(20);
  });
});
