// A real `hoosh serve` whose provider is type "local": Generate, GenerateStream and Embed over
// gRPC end to end, on the shared stories260K (or the generated model when it is absent).
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FinishReason, Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { InferenceService } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { Locality, ModelsService } from "../../gen/ts/hoosh/v1/models_pb.js";
import { startHoosh, type Hoosh } from "../harness/hoosh.js";
import { removeGenerated, testModel } from "./helpers.js";

let hoosh: Hoosh;
let session: Http2SessionManager;
let inference: Client<typeof InferenceService>;
let models: Client<typeof ModelsService>;

beforeAll(async () => {
  hoosh = await startHoosh(`
[[providers]]
name = "embedded"
type = "local"
models = ["stories"]
local = { model_path = ${JSON.stringify(testModel())}, threads = 1, context_size = 1024, sequences = 1, max_queue = 4 }

[aliases]
default = "stories"
`);
  session = new Http2SessionManager(hoosh.url);
  const transport = createGrpcTransport({ baseUrl: hoosh.url, sessionManager: session });
  inference = createClient(InferenceService, transport);
  models = createClient(ModelsService, transport);
});

afterAll(async () => {
  session?.abort();
  await hoosh?.stop();
  removeGenerated();
});

const user = (text: string) => [{ role: Role.USER, content: [{ part: { case: "text" as const, value: text } }] }];

describe("hoosh with a local model", () => {
  it("Generate answers through the alias, with usage from the engine", async () => {
    const res = await inference.generate({ model: "default", messages: user("Once upon a time"), sampling: { maxTokens: 16, seed: 1n } });
    expect(res.message?.content[0]?.part.case).toBe("text");
    expect(res.usage?.provider).toBe("embedded");
    expect(res.usage!.outputTokens).toBeGreaterThan(0);
    expect(res.usage!.inputTokens).toBeGreaterThan(0);
    expect([FinishReason.STOP, FinishReason.LENGTH]).toContain(res.finishReason);
  });

  it("GenerateStream delivers text deltas one by one, then the end with the assembled message", async () => {
    const cases: string[] = [];
    let text = "";
    let end: { message?: { content: { part: { case?: string; value?: unknown } }[] } } | undefined;
    for await (const ev of inference.generateStream({ model: "stories", messages: user("Once upon a time"), sampling: { maxTokens: 60, seed: 2n } })) {
      cases.push(ev.event.case ?? "");
      if (ev.event.case === "text") text += ev.event.value.text;
      if (ev.event.case === "end") end = ev.event.value;
    }
    expect(cases[0]).toBe("start");
    expect(cases.at(-1)).toBe("end");
    expect(cases.filter((c) => c === "text").length).toBeGreaterThan(5);
    expect(end?.message?.content[0]?.part.value).toBe(text);
  });

  it("Embed returns one vector per input", async () => {
    const res = await inference.embed({ model: "stories", inputs: ["a", "b"] });
    expect(res.embeddings).toHaveLength(2);
    expect(res.embeddings[0]!.values.length).toBeGreaterThan(0);
  });

  it("out-of-range sampling is refused at the edge with InvalidArgument", async () => {
    const err = await inference.generate({ model: "stories", messages: user("hi"), sampling: { temperature: 3 } }).catch((e: unknown) => ConnectError.from(e));
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.InvalidArgument);
    expect((err as ConnectError).rawMessage).toContain("sampling.temperature");
  });

  it("ListModels shows the configured id as a local model", async () => {
    const res = await models.listModels({});
    const m = res.models.find((x) => x.id === "stories");
    expect(m?.provider).toBe("embedded");
    expect(m?.locality).toBe(Locality.LOCAL);
    // Its window is the configured context_size (the model table cannot know it).
    expect(m?.contextWindow).toBe(1024);
  });
});
