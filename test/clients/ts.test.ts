// The TypeScript client package (clients/ts) against a live hoosh process in
// front of a fake OpenAI upstream process: every service, streaming in both
// directions, and the typed error mapping.
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ModelsService } from "../../gen/ts/hoosh/v1/models_pb.js";
import { Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { AudioEncoding } from "../../gen/ts/hoosh/v1/transcribe_pb.js";
import { Code, createHooshClient, toHooshError, type HooshClient, type Protocol } from "../../clients/ts/src/node.js";
import { createHooshClient as createWebClient } from "../../clients/ts/src/web.js";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/spawn.js";
import { listen } from "../../server/listen.js";
import { fakeProviderConfig, startHoosh, type Hoosh } from "../harness/hoosh.js";
import { chunks, toneWav } from "../transcribe/harness.js";

const BUDGETS = `
[[budgets]]
name = "tiny"
capacity = 10

[[budgets]]
name = "default"
capacity = 1000000
`;

let fake: FakeOpenAI;
let hoosh: Hoosh;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  hoosh = await startHoosh(fakeProviderConfig(fake.baseUrl, BUDGETS));
});

afterAll(async () => {
  await hoosh?.stop();
  await fake?.stop();
});

const ask = (model: string, text: string) => ({ model, messages: [{ role: Role.USER, content: [{ part: { case: "text" as const, value: text } }] }] });

async function failure(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    return toHooshError(err);
  }
  throw new Error("expected the call to fail");
}

describe.each<Protocol>(["grpc", "connect", "grpc-web"])("createHooshClient over %s", (protocol) => {
  let client: HooshClient;
  beforeAll(() => {
    client = createHooshClient({ baseUrl: hoosh.url, protocol });
  });

  it("Generate answers through the upstream", async () => {
    const res = await client.inference.generate(ask("gpt-test", "hello there"));
    const text = res.message?.content.map((p) => (p.part.case === "text" ? p.part.value : "")).join("");
    expect(text).toBe("echo: hello there");
    expect(res.usage?.provider).toBe("fake");
    expect(res.usage?.outputTokens).toBeGreaterThan(0);
  });

  it("ListModels lists the upstream's models under provider fake", async () => {
    const { models } = await client.models.listModels({});
    expect(models.length).toBeGreaterThan(0);
    expect(models.every((m) => m.provider === "fake")).toBe(true);
  });

  it("an empty model is InvalidArgument naming the field", async () => {
    const err = await failure(client.inference.generate(ask("", "hi")));
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.field).toBe("model");
  });
});

describe("createHooshClient over gRPC: streaming, budgets, hardware, transcription", () => {
  let client: HooshClient;
  beforeAll(() => {
    client = createHooshClient({ baseUrl: hoosh.url, protocol: "grpc" });
  });

  it("GenerateStream delivers deltas incrementally, long before the stream ends", async () => {
    // fake-long-stream sends one chunk every 50 ms for up to 60 s.
    const controller = new AbortController();
    const arrivals: number[] = [];
    const started = performance.now();
    const stream = client.inference.generateStream(ask("fake-long-stream", "go"), { signal: controller.signal });
    await expect(
      (async () => {
        for await (const ev of stream) {
          if (ev.event.case === "text") arrivals.push(performance.now() - started);
          if (arrivals.length === 5) controller.abort();
        }
      })(),
    ).rejects.toThrow();
    expect(arrivals).toHaveLength(5);
    // Five deltas in well under the stream's 60 s: they were not held back until the end.
    expect(arrivals[4]!).toBeLessThan(10_000);
    expect(arrivals[0]!).toBeLessThan(arrivals[4]!);
    await fake.waitForEvent((e) => e.type === "client-closed" && e.model === "fake-long-stream");
  });

  it("breaking out of a GenerateStream loop cancels the call up to the upstream", async () => {
    await fake.reset();
    for await (const ev of client.inference.generateStream(ask("fake-long-stream", "break early"))) {
      if (ev.event.case === "text") break;
    }
    await fake.waitForEvent((e) => e.type === "client-closed" && e.model === "fake-long-stream");
  });

  it("Transcribe streams a WAV in chunks and returns the transcript", async () => {
    const wav = toneWav(1.5);
    async function* messages() {
      yield { payload: { case: "config" as const, value: { model: "whisper-1", encoding: AudioEncoding.WAV, language: "en" } } };
      for (const c of chunks(wav, 6)) yield { payload: { case: "audio" as const, value: c } };
    }
    const res = await client.transcribe.transcribe(messages());
    expect(res.text.length).toBeGreaterThan(0);
    expect(res.durationSeconds).toBeCloseTo(1.5, 1);
    expect(res.usage?.provider).toBe("fake");
  });

  it("Budget: pools are listed and an over-budget reservation is ResourceExhausted", async () => {
    const { pools } = await client.budget.listPools({});
    expect(pools.map((p) => p.name)).toEqual(["default", "tiny"]);
    const err = await failure(client.budget.reserve({ pool: "tiny", tokens: 1000n }));
    expect(err.code).toBe(Code.ResourceExhausted);
    expect(err.message).toContain('"tiny"');
  });

  it("Hardware: the machine's CPU is reported", async () => {
    const { hardware } = await client.hardware.getHardware({});
    expect(hardware?.cpu?.logicalCores).toBeGreaterThan(0);
    expect(Number(hardware?.memory?.totalBytes)).toBeGreaterThan(0);
  });

  it("sends the API key as a bearer token on every protocol", async () => {
    // A tiny server that answers ListModels with the authorization header it saw.
    // hoosh's own one-port listener, so HTTP/1.1 (connect, grpc-web) and h2c (grpc) both work.
    const handler = connectNodeAdapter({
      routes: (r) =>
        r.service(ModelsService, {
          listModels: (_req, ctx) => ({ models: [{ id: ctx.requestHeader.get("authorization") ?? "(none)" }] }),
          getModel: () => ({}),
        }),
    });
    const server = await listen(handler, "127.0.0.1", 0);
    const baseUrl = `http://127.0.0.1:${server.port}`;
    try {
      for (const protocol of ["grpc", "connect", "grpc-web"] as const) {
        const keyed = createHooshClient({ baseUrl, apiKey: "test-key-123", protocol });
        const { models } = await keyed.models.listModels({});
        expect(models[0]?.id, protocol).toBe("Bearer test-key-123");
      }
      const anonymous = createHooshClient({ baseUrl, protocol: "connect" });
      expect((await anonymous.models.listModels({})).models[0]?.id).toBe("(none)");
    } finally {
      await server.close(0);
    }
  });
});

describe("browser entry (fetch-based transports; Node 20 has fetch)", () => {
  it.each(["connect", "grpc-web"] as const)("Generate and a server stream over %s", async (protocol) => {
    const client = createWebClient({ baseUrl: hoosh.url, protocol });
    const res = await client.inference.generate(ask("gpt-test", "from the browser"));
    expect(res.message?.content[0]?.part.value).toBe("echo: from the browser");
    const kinds: string[] = [];
    for await (const ev of client.inference.generateStream(ask("gpt-test", "streamed"))) kinds.push(ev.event.case ?? "");
    expect(kinds[0]).toBe("start");
    expect(kinds.at(-1)).toBe("end");
    expect(kinds).toContain("text");
  });

  it("refuses raw gRPC, which browsers cannot speak", () => {
    expect(() => createWebClient({ baseUrl: hoosh.url, protocol: "grpc" })).toThrow(/not available in browsers/);
  });
});
