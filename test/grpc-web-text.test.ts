// gRPC-Web text mode (application/grpc-web-text, protoc-gen-grpc-web's default) on the one port:
// base64 request and answer, unary and server streaming, answer padding only at the end; and on
// the Connect protocol, a malformed binary message answering 400 invalid_argument (not 500).
import { create, fromBinary, toBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "../gen/ts/hoosh/v1/chat_pb.js";
import { GenerateStreamRequestSchema, GenerateStreamResponseSchema } from "../gen/ts/hoosh/v1/inference_pb.js";
import { ListModelsRequestSchema, ListModelsResponseSchema } from "../gen/ts/hoosh/v1/models_pb.js";
import { buildApp, type App } from "../server/app.js";
import { parseConfig } from "../server/config/index.js";
import { listen, type Listener } from "../server/listen.js";
import { createRpcHandler } from "../server/rpc-handler.js";
import { notFoundFallback } from "../server/rpc/fallback.js";
import { startFakeOpenAI, type FakeOpenAI } from "./fakes/spawn.js";

let fake: FakeOpenAI;
let app: App;
let listener: Listener;
let url: string;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  const config = parseConfig(
    `
[server]
bind = "127.0.0.1"

[[providers]]
name = "fake"
type = "openai"
base_url = "${fake.baseUrl}"
models = ["fake-*"]
`,
    { source: "grpc-web-text-test", env: {} },
  );
  app = await buildApp(config, { source: "grpc-web-text-test" });
  const handler = createRpcHandler({ routes: app.routes, fallback: notFoundFallback, readMaxBytes: 1 << 20 });
  listener = await listen(handler, "127.0.0.1", 0);
  url = `http://127.0.0.1:${listener.port}`;
}, 30_000);

afterAll(async () => {
  await listener?.close(0);
  await app?.close();
  await fake?.stop();
});

function envelope(bytes: Uint8Array): Buffer {
  const out = Buffer.alloc(5 + bytes.length);
  out.writeUInt32BE(bytes.length, 1);
  out.set(bytes, 5);
  return out;
}

interface Frames {
  messages: Buffer[];
  trailer: Record<string, string>;
}

/** gRPC-Web frames out of a decoded body: data frames, then the trailer frame (flag 0x80). */
function frames(body: Buffer): Frames {
  const out: Frames = { messages: [], trailer: {} };
  for (let at = 0; at < body.length; ) {
    const flags = body[at]!;
    const length = body.readUInt32BE(at + 1);
    const payload = body.subarray(at + 5, at + 5 + length);
    at += 5 + length;
    if ((flags & 0x80) === 0) {
      out.messages.push(payload);
      continue;
    }
    for (const line of payload.toString("latin1").split("\r\n")) {
      const colon = line.indexOf(":");
      if (colon > 0) out.trailer[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
  }
  return out;
}

async function textCall(path: string, body: string, contentType = "application/grpc-web-text") {
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": contentType, accept: "application/grpc-web-text", "x-grpc-web": "1" },
    body,
  });
  const text = await res.text();
  return { res, text, frames: frames(Buffer.from(text, "base64")) };
}

const encoded = <D extends DescMessage>(schema: D, message: MessageShape<D>) => envelope(toBinary(schema, message)).toString("base64");

describe("gRPC-Web text mode", () => {
  it("serves a unary call: base64 in, base64 out, status in the trailer frame", async () => {
    const { res, text, frames: got } = await textCall("/hoosh.v1.ModelsService/ListModels", encoded(ListModelsRequestSchema, create(ListModelsRequestSchema)));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/grpc-web-text+proto");
    expect(text).toMatch(/^[A-Za-z0-9+/]*={0,2}$/);
    expect(got.trailer["grpc-status"]).toBe("0");
    expect(got.messages).toHaveLength(1);
    const models = fromBinary(ListModelsResponseSchema, got.messages[0]!);
    expect(models.models.map((m) => m.provider)).toContain("fake");
  });

  it("serves a server stream whose chunks decode as one base64 text (padding only at the end)", async () => {
    const request = create(GenerateStreamRequestSchema, {
      model: "fake-model",
      messages: [{ role: Role.USER, content: [{ part: { case: "text", value: "one two three four" } }] }],
    });
    const { text, frames: got } = await textCall("/hoosh.v1.InferenceService/GenerateStream", encoded(GenerateStreamRequestSchema, request), "application/grpc-web-text+proto");
    expect(text.replace(/=+$/, "")).not.toContain("=");
    expect(got.trailer["grpc-status"]).toBe("0");
    const events = got.messages.map((m) => fromBinary(GenerateStreamResponseSchema, m).event.case);
    expect(events[0]).toBe("start");
    expect(events.at(-1)).toBe("end");
    expect(events.filter((e) => e === "text").length).toBeGreaterThan(1);
  });

  it("accepts a request sent as separately padded base64 segments", async () => {
    const bytes = envelope(toBinary(ListModelsRequestSchema, create(ListModelsRequestSchema, { provider: "fake" })));
    const body = bytes.subarray(0, 4).toString("base64") + bytes.subarray(4).toString("base64");
    expect(body.indexOf("=")).toBeLessThan(body.length - 2);
    const { frames: got } = await textCall("/hoosh.v1.ModelsService/ListModels", body);
    expect(got.trailer["grpc-status"]).toBe("0");
    expect(fromBinary(ListModelsResponseSchema, got.messages[0]!).models.every((m) => m.provider === "fake")).toBe(true);
  });

  it("answers a body that is not base64 with INVALID_ARGUMENT", async () => {
    const res = await fetch(`${url}/hoosh.v1.ModelsService/ListModels`, {
      method: "POST",
      headers: { "content-type": "application/grpc-web-text" },
      body: "not*base64!",
    });
    const text = await res.text();
    const status = res.headers.get("grpc-status") ?? frames(Buffer.from(text, "base64")).trailer["grpc-status"];
    expect(status).toBe("3");
  });
});

describe("Connect protocol, malformed binary message", () => {
  it("is 400 invalid_argument naming the parse failure, not 500 internal", async () => {
    // Field 1, length-delimited, promises 5 bytes and carries 1.
    const res = await fetch(`${url}/hoosh.v1.ModelsService/ListModels`, {
      method: "POST",
      headers: { "content-type": "application/proto", "connect-protocol-version": "1" },
      body: Buffer.from([0x0a, 0x05, 0x01]),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: string; message: string };
    expect(body.code).toBe("invalid_argument");
    expect(body.message).toMatch(/^request message: parse binary: /);
  });

  // connect-es reads JSON as proto3 JSON with unknown fields ignored, which ignores unknown enum
  // names too: a required enum then fails in the core, which names the path (an optional one is
  // left unset; REST transcoding, which refuses unknown fields, names the value: transcode-budget).
  it("a JSON message with an unknown role is 400 invalid_argument naming messages[1].role", async () => {
    const res = await fetch(`${url}/hoosh.v1.InferenceService/Generate`, {
      method: "POST",
      headers: { "content-type": "application/json", "connect-protocol-version": "1" },
      body: JSON.stringify({ model: "fake-model", messages: [{ role: "ROLE_USER", content: [{ text: "x" }] }, { role: "ROLE_ROBOT" }] }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: string; message: string };
    expect(body.code).toBe("invalid_argument");
    expect(body.message).toMatch(/^messages\[1\]\.role: ROLE_UNSPECIFIED is not allowed; use one of: ROLE_SYSTEM/);
  });

  it("leaves a well-formed message alone", async () => {
    const res = await fetch(`${url}/hoosh.v1.ModelsService/ListModels`, {
      method: "POST",
      headers: { "content-type": "application/proto", "connect-protocol-version": "1" },
      body: toBinary(ListModelsRequestSchema, create(ListModelsRequestSchema)),
    });
    expect(res.status).toBe(200);
    expect(fromBinary(ListModelsResponseSchema, new Uint8Array(await res.arrayBuffer())).models.length).toBeGreaterThan(0);
  });
});
