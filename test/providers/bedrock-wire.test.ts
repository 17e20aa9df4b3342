// The bedrock adapter's translation on its own: hoosh.v1 -> Converse (turns,
// tool results, images, tool choice, fields refused), and ConverseStream
// frames -> events, frames made by the fake's own encoder (CRC-32 from
// node:zlib), including a corrupt and a cut stream; credentials lookup order.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { ImageDetail, ResponseFormat_Type, Role, ToolChoice_Mode } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { GenerateRequestSchema, type GenerateStreamResponse } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { ConfigError } from "../../server/config/index.js";
import { resolveAwsCredentials } from "../../server/providers/bedrock/credentials.js";
import { eventFrames } from "../../server/providers/bedrock/eventstream.js";
import { modelPath, toConverseRequest } from "../../server/providers/bedrock/request.js";
import { converseStreamEvents } from "../../server/providers/bedrock/stream.js";
import { eventFrame, exceptionFrame } from "../fakes/bedrock/eventstream.js";

const text = (value: string) => ({ part: { case: "text" as const, value } });
const request = (init: Parameters<typeof create<typeof GenerateRequestSchema>>[1]) => create(GenerateRequestSchema, init);
const TOOL = { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } };

async function failure(run: () => unknown): Promise<ConnectError> {
  try {
    await run();
  } catch (err) {
    return ConnectError.from(err);
  }
  throw new Error("expected a failure");
}

describe("toConverseRequest", () => {
  it("lifts system text, merges tool results into one user turn (results first), keeps call ids", () => {
    const { body } = toConverseRequest(
      request({
        model: "m",
        tools: [TOOL],
        messages: [
          { role: Role.SYSTEM, content: [text("Be brief.")] },
          { role: Role.USER, content: [text("weather in two cities")] },
          { role: Role.ASSISTANT, toolCalls: [{ id: "t1", name: "get_weather", arguments: '{"city":"Paris"}' }, { id: "t2", name: "get_weather", arguments: "" }] },
          { role: Role.TOOL, toolCallId: "t1", content: [text('{"temp":21}')] },
          { role: Role.TOOL, toolCallId: "t2", content: [text("rain")] },
          { role: Role.USER, content: [text("and tomorrow?")] },
        ],
        sampling: { maxTokens: 50, temperature: 0.2, stop: ["END"] },
      }),
    );
    expect(body).toEqual({
      system: [{ text: "Be brief." }],
      messages: [
        { role: "user", content: [{ text: "weather in two cities" }] },
        { role: "assistant", content: [{ toolUse: { toolUseId: "t1", name: "get_weather", input: { city: "Paris" } } }, { toolUse: { toolUseId: "t2", name: "get_weather", input: {} } }] },
        { role: "user", content: [{ toolResult: { toolUseId: "t1", content: [{ json: { temp: 21 } }] } }, { toolResult: { toolUseId: "t2", content: [{ text: "rain" }] } }, { text: "and tomorrow?" }] },
      ],
      inferenceConfig: { maxTokens: 50, temperature: 0.2, stopSequences: ["END"] },
      toolConfig: { tools: [{ toolSpec: { name: "get_weather", inputSchema: { json: TOOL.parameters } } }], toolChoice: { auto: {} } },
    });
  });

  it("tool choice: required -> any, a name -> tool, none -> no tools unless the history uses them", () => {
    const choice = (toolChoice: object, messages: object[] = [{ role: Role.USER, content: [text("x")] }]) => toConverseRequest(request({ model: "m", tools: [TOOL], toolChoice, messages: messages as never })).body.toolConfig;
    expect(choice({ choice: { case: "mode", value: ToolChoice_Mode.REQUIRED } })?.toolChoice).toEqual({ any: {} });
    expect(choice({ choice: { case: "functionName", value: "get_weather" } })?.toolChoice).toEqual({ tool: { name: "get_weather" } });
    expect(choice({ choice: { case: "mode", value: ToolChoice_Mode.NONE } })).toBeUndefined();
    const history = [
      { role: Role.USER, content: [text("x")] },
      { role: Role.ASSISTANT, toolCalls: [{ id: "t1", name: "get_weather", arguments: "{}" }] },
      { role: Role.TOOL, toolCallId: "t1", content: [text("ok")] },
    ];
    expect(choice({ choice: { case: "mode", value: ToolChoice_Mode.NONE } }, history)).toEqual({ tools: [{ toolSpec: { name: "get_weather", inputSchema: { json: TOOL.parameters } } }] });
  });

  it("images as bytes or data: URLs; http URLs, other types, audio and bad arguments are refused naming the field", async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
    const { body } = toConverseRequest(request({ model: "m", messages: [{ role: Role.USER, content: [{ part: { case: "image", value: { mimeType: "image/png", detail: ImageDetail.AUTO, source: { case: "data", value: png } } } }, { part: { case: "image", value: { mimeType: "", source: { case: "url", value: `data:image/jpeg;base64,${png.toString("base64")}` } } } }] }] }));
    expect(body.messages[0]?.content).toEqual([{ image: { format: "png", source: { bytes: png.toString("base64") } } }, { image: { format: "jpeg", source: { bytes: png.toString("base64") } } }]);
    const cases: [object, string][] = [
      [{ part: { case: "image", value: { mimeType: "image/png", source: { case: "url", value: "https://x/y.png" } } } }, "messages[0].content[0].image.url: bedrock takes images as bytes or base64 data: URLs"],
      [{ part: { case: "image", value: { mimeType: "image/tiff", source: { case: "data", value: png } } } }, 'messages[0].content[0].image.mime_type: "image/tiff" is not an image type bedrock takes'],
      [{ part: { case: "audio", value: { data: png, format: "wav" } } }, "messages[0].content[0].audio: bedrock (Converse) does not take audio input"],
    ];
    for (const [part, message] of cases) {
      const err = await failure(() => toConverseRequest(request({ model: "m", messages: [{ role: Role.USER, content: [part as never] }] })));
      expect(err.code).toBe(Code.InvalidArgument);
      expect(err.rawMessage).toContain(message);
    }
    const args = await failure(() => toConverseRequest(request({ model: "m", messages: [{ role: Role.USER, content: [text("x")] }, { role: Role.ASSISTANT, toolCalls: [{ id: "t", name: "f", arguments: "[1]" }] }] })));
    expect(args.rawMessage).toContain("messages[1].tool_calls[0].arguments");
  });

  it("JSON formats become a forced helper tool; with user tools any tool may answer", () => {
    const schema = { type: "object", properties: { city: { type: "string" } } };
    const json = toConverseRequest(request({ model: "m", messages: [{ role: Role.USER, content: [text("x")] }], responseFormat: { type: ResponseFormat_Type.JSON_SCHEMA, jsonSchema: schema, schemaName: "place" } }));
    expect(json.jsonTool).toBe("json_response");
    expect(json.body.toolConfig).toMatchObject({ tools: [{ toolSpec: { name: "json_response", inputSchema: { json: schema } } }], toolChoice: { tool: { name: "json_response" } } });
    const withTools = toConverseRequest(request({ model: "m", tools: [{ ...TOOL, name: "json_response" }], messages: [{ role: Role.USER, content: [text("x")] }], responseFormat: { type: ResponseFormat_Type.JSON_OBJECT } }));
    expect(withTools.jsonTool).toBe("json_response_1");
    expect(withTools.body.toolConfig?.toolChoice).toEqual({ any: {} });
    expect(toConverseRequest(request({ model: "m", messages: [{ role: Role.USER, content: [text("x")] }] })).jsonTool).toBeUndefined();
  });

  it("model ids and ARNs are one path segment", () => {
    expect(modelPath("arn:aws:bedrock:us-east-1:123:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0", "converse")).toBe(
      "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123%3Ainference-profile%2Fus.anthropic.claude-3-5-haiku-20241022-v1%3A0/converse",
    );
  });
});

async function* chunks(...buffers: Buffer[]): AsyncGenerator<Uint8Array> {
  // Split every frame across two chunks, as sockets do.
  for (const b of buffers) {
    yield b.subarray(0, 5);
    yield b.subarray(5);
  }
}
async function collect(frames: Buffer[]): Promise<GenerateStreamResponse["event"][]> {
  const out: GenerateStreamResponse["event"][] = [];
  for await (const e of converseStreamEvents("aws", "req-1", "m", eventFrames("aws", chunks(...frames)))) out.push(e.event);
  return out;
}

describe("ConverseStream decoding", () => {
  it("text, a tool call with streamed arguments, stop reason and usage", async () => {
    const events = await collect([
      eventFrame("messageStart", { role: "assistant" }),
      eventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "Let me check." } }),
      eventFrame("contentBlockStop", { contentBlockIndex: 0 }),
      eventFrame("contentBlockStart", { contentBlockIndex: 1, start: { toolUse: { toolUseId: "tu1", name: "get_weather" } } }),
      eventFrame("contentBlockDelta", { contentBlockIndex: 1, delta: { toolUse: { input: '{"city":' } } }),
      eventFrame("contentBlockDelta", { contentBlockIndex: 1, delta: { toolUse: { input: '"Oslo"}' } } }),
      eventFrame("contentBlockStop", { contentBlockIndex: 1 }),
      eventFrame("messageStop", { stopReason: "tool_use" }),
      eventFrame("metadata", { usage: { inputTokens: 10, outputTokens: 7, cacheReadInputTokens: 4 } }),
    ]);
    expect(events.map((e) => e.case)).toEqual(["start", "text", "toolCall", "toolCall", "toolCall", "end"]);
    expect(events[2]).toMatchObject({ value: { index: 0, id: "tu1", name: "get_weather" } });
    const end = events.at(-1)!;
    expect(end.case === "end" && [end.value.finishReason, end.value.usage?.inputTokens, end.value.usage?.cachedInputTokens, end.value.usage?.outputTokens]).toEqual([3, 14, 4, 7]);
  });

  it("an exception frame keeps its code; a corrupt frame is INTERNAL; a stream cut before messageStop is UNAVAILABLE", async () => {
    const throttled = await failure(() => collect([eventFrame("messageStart", { role: "assistant" }), exceptionFrame("throttlingException", "slow down")]));
    expect([throttled.code, throttled.rawMessage]).toEqual([Code.ResourceExhausted, 'provider "aws" failed mid-stream: slow down (ThrottlingException)']);
    const corrupt = eventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "hi" } });
    corrupt.writeUInt8(corrupt.readUInt8(corrupt.length - 6) ^ 0xff, corrupt.length - 6);
    expect((await failure(() => collect([corrupt]))).code).toBe(Code.Internal);
    const cut = await failure(() => collect([eventFrame("messageStart", { role: "assistant" }), eventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "hi" } })]));
    expect([cut.code, cut.rawMessage]).toEqual([Code.Unavailable, 'provider "aws" ended the stream before messageStop']);
    const half = eventFrame("messageStop", { stopReason: "end_turn" });
    expect((await failure(() => collect([half.subarray(0, 20)]))).rawMessage).toContain("inside an event-stream frame");
  });
});

describe("resolveAwsCredentials", () => {
  const dir = mkdtempSync(join(tmpdir(), "hoosh-awscreds-"));
  const file = join(dir, "credentials");
  writeFileSync(file, "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = d\n[profile dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = e\naws_session_token = tok\n");
  const env = { AWS_ACCESS_KEY_ID: "AKIAENV", AWS_SECRET_ACCESS_KEY: "env", AWS_SHARED_CREDENTIALS_FILE: file };
  const id = (creds: Parameters<typeof resolveAwsCredentials>[0], e: Record<string, string | undefined>) => resolveAwsCredentials(creds, e, "providers[0]", "hoosh.toml").accessKeyId;

  it("config keys, then a named profile, then the environment, then AWS_PROFILE / default", () => {
    expect(id({ access_key_id: "AKIACONFIG", secret_access_key: "c" }, env)).toBe("AKIACONFIG");
    expect(id({ profile: "dev" }, env)).toBe("AKIADEV");
    expect(resolveAwsCredentials({ profile: "dev" }, env, "p", "s").sessionToken).toBe("tok");
    expect(id(undefined, env)).toBe("AKIAENV");
    expect(id(undefined, { AWS_SHARED_CREDENTIALS_FILE: file })).toBe("AKIADEFAULT");
    expect(id(undefined, { AWS_SHARED_CREDENTIALS_FILE: file, AWS_PROFILE: "dev" })).toBe("AKIADEV");
  });

  it("nothing found: a config error naming the key and what was tried, no secret", () => {
    expect(() => resolveAwsCredentials({ profile: "nope" }, env, "providers[0]", "hoosh.toml")).toThrow(new ConfigError("hoosh.toml", [{ path: "providers[0].credentials.profile", message: `no profile "nope" in ${file}` }]));
    expect(() => resolveAwsCredentials(undefined, { HOME: dir }, "providers[0]", "hoosh.toml")).toThrow(/providers\[0\]\.credentials: no AWS credentials found/);
    rmSync(dir, { recursive: true, force: true });
  });
});
