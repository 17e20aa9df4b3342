// REST transcoding through a real server built in-process (buildApp +
// connectNodeAdapter with the transcoder in the fallback chain + listen) in
// front of the fake OpenAI upstream process, exercised with plain fetch.
import http2 from "node:http2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeOpenAI } from "../fakes/spawn.js";
import { startTranscodeServer, type TranscodeServer } from "./transcode-harness.js";

let server: TranscodeServer;
let fake: FakeOpenAI;
let base: string;

beforeAll(async () => {
  server = await startTranscodeServer();
  ({ fake, base } = server);
});

afterAll(async () => {
  await server?.stop();
});


const hello = (model = "gpt-4o-mini") => ({ model, messages: [{ role: "ROLE_USER", content: [{ text: "Hello there" }] }] });
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(base + path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });
async function json(res: Response, status: number): Promise<any> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/json");
  return JSON.parse(text);
}

/** Reads NDJSON lines as they arrive; stop() cancels the body. */
function lines(res: Response) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  return {
    async next(): Promise<any> {
      for (;;) {
        const nl = buffered.indexOf("\n");
        if (nl >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          return JSON.parse(line);
        }
        const { value, done } = await reader.read();
        if (done) return undefined;
        buffered += value;
      }
    },
    stop: () => reader.cancel(),
  };
}

describe("inference", () => {
  it("POST /hoosh/v1/generate answers the message, forwarding request id and traceparent", async () => {
    const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const res = await post("/hoosh/v1/generate", hello(), { "x-request-id": "rest-req-1", traceparent });
    const body = await json(res, 200);
    expect(body.message).toEqual({ role: "ROLE_ASSISTANT", content: [{ text: "echo: Hello there" }] });
    expect(body).toMatchObject({ finishReason: "FINISH_REASON_STOP", usage: { provider: "fake" } });
    expect(res.headers.get("x-request-id")).toBe("rest-req-1");
    const seen = await fake.waitForEvent((e) => e.type === "request" && e.headers.traceparent === traceparent);
    expect(seen).toMatchObject({ path: "/v1/chat/completions", model: "gpt-4o-mini" });
  });

  it("POST /hoosh/v1/generate:stream streams NDJSON lines as they come, and a disconnect cancels upstream", async () => {
    const res = await post("/hoosh/v1/generate:stream", hello("fake-long-stream"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-ndjson");
    const stream = lines(res);
    expect((await stream.next()).result.start).toMatchObject({ provider: "fake" });
    // ~60 s of 50 ms ticks upstream: these lines can only be here if each was flushed on its own.
    expect(await stream.next()).toEqual({ result: { text: { text: "tick0" } } });
    expect(await stream.next()).toEqual({ result: { text: { text: " tick1" } } });
    await stream.stop();
    await fake.waitForEvent((e) => e.type === "client-closed" && e.model === "fake-long-stream");
  });

  it("a whole stream ends with the end event; a failure mid-stream is the last line", async () => {
    const all = [];
    const ok = lines(await post("/hoosh/v1/generate:stream", hello()));
    for (let l = await ok.next(); l; l = await ok.next()) all.push(l);
    expect(all.at(-1).result.end).toMatchObject({ finishReason: "FINISH_REASON_STOP", usage: { provider: "fake" } });
    const failing = await post("/hoosh/v1/generate:stream", hello("fake-stream-error"));
    expect(failing.status).toBe(200);
    const got = (await failing.text()).trim().split("\n").map((l) => JSON.parse(l));
    expect(got[0].result.start).toBeDefined();
    expect(got.at(-1).error).toMatchObject({ code: expect.any(Number), message: expect.any(String), details: [] });
  });

  it("a stream failing before its first message answers the error's HTTP status with one error line", async () => {
    const res = await post("/hoosh/v1/generate:stream", hello("fake-404"));
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/x-ndjson");
    expect(JSON.parse(await res.text()).error).toMatchObject({ code: 5, details: [] });
  });

  it("POST /hoosh/v1/embed returns one vector per input", async () => {
    const body = await json(await post("/hoosh/v1/embed", { model: "text-embedding-3-small", inputs: ["a", "b"] }), 200);
    expect(body.embeddings).toHaveLength(2);
    expect(body.embeddings[1].index).toBe(1);
  });

  it("upstream rate limits answer 429 with Retry-After; x-hoosh-timeout-ms sets a deadline (504)", async () => {
    const limited = await post("/hoosh/v1/generate", hello("fake-429"));
    expect((await json(limited, 429)).code).toBe(8);
    expect(limited.headers.get("retry-after")).toBe("7");
    const slow = await post("/hoosh/v1/generate", hello("fake-slow-first-byte"), { "x-hoosh-timeout-ms": "200" });
    expect((await json(slow, 504)).code).toBe(4);
    const bad = await post("/hoosh/v1/generate", hello(), { "x-hoosh-timeout-ms": "soon" });
    expect((await json(bad, 400)).message).toContain("x-hoosh-timeout-ms");
  });
});

describe("models and hardware", () => {
  it("GET /hoosh/v1/models lists, with enum filters from the query", async () => {
    const body = await json(await fetch(`${base}/hoosh/v1/models?capability=CAPABILITY_CHAT`), 200);
    expect(body.models.map((m: { id: string }) => m.id)).toContain("gpt-4o-mini");
  });

  it("GET /hoosh/v1/models/{id=**} takes ids with slashes, plain or %2F-encoded", async () => {
    for (const path of ["org/llama-3", "org%2Fllama-3"]) {
      const body = await json(await fetch(`${base}/hoosh/v1/models/${path}`), 200);
      expect(body.model).toMatchObject({ id: "org/llama-3", provider: "fake" });
    }
  });

  it("GET /hoosh/v1/hardware?refresh=true and POST /hoosh/v1/hardware/placement", async () => {
    const hw = await json(await fetch(`${base}/hoosh/v1/hardware?refresh=true`), 200);
    expect(hw.hardware.cpu.logicalCores).toBeGreaterThan(0);
    const placement = await json(await post("/hoosh/v1/hardware/placement", { parameterCount: "135000000", quantization: "QUANTIZATION_Q4_0" }), 200);
    expect(placement.kind).toMatch(/^PLACEMENT_KIND_/);
    expect(placement.estimate.totalBytes).toMatch(/^\d+$/);
  });

  it("HTTP/2 (h2c) requests are transcoded too", async () => {
    const session = http2.connect(base);
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const req = session.request({ ":method": "GET", ":path": "/hoosh/v1/budget/pools/team" });
        let text = "";
        req.setEncoding("utf8").on("data", (d: string) => (text += d)).on("end", () => resolve(text)).on("error", reject);
      });
      expect(JSON.parse(body).pool.name).toBe("team");
    } finally {
      session.close();
    }
  });
});
