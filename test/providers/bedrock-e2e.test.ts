// Amazon Bedrock end to end: a real hoosh with type "bedrock" providers against
// the fake Bedrock, which recomputes every SigV4 signature from the raw
// request and rejects a wrong one. Converse, ConverseStream (binary
// event-stream), tools, errors, cancellation, Titan embeddings, listing.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FinishReason, ResponseFormat_Type, Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { ModelsService } from "../../gen/ts/hoosh/v1/models_pb.js";
import { embed as fakeVector } from "../fakes/openai/embeddings.js";
import { startFakeBedrock, type FakeBedrock } from "../fakes/spawn-clouds.js";
import type { Hoosh } from "../harness/hoosh.js";
import { providerContract, rejection } from "./contract.js";
import { closedAt, FAULTS_EXPECTED, startE2E, user, type E2E } from "./e2e-harness.js";

const KEY_ID = "AKIAHOOSHTESTKEY0001";
const SECRET = "hoosh/test+secret/key0123456789abcdefghij";
const config = (url: string, credentialsFile: string) => `

[[providers]]
name = "aws"
type = "bedrock"
region = "eu-west-1"
base_url = "${url}"
credentials = { access_key_id = "${KEY_ID}", secret_access_key = "${SECRET}" }
models = ["anthropic.*", "meta.*", "mistral.*", "amazon.*", "fake-*"]
${FAULTS_EXPECTED}

[[providers]]
name = "aws-profile"
type = "bedrock"
region = "eu-west-1"
base_url = "${url}"
credentials = { profile = "hoosh", shared_credentials_file = "${credentialsFile}" }
models = ["profile/*"]

[[providers]]
name = "aws-wrong"
type = "bedrock"
region = "eu-west-1"
base_url = "${url}"
credentials = { access_key_id = "${KEY_ID}", secret_access_key = "not-the-secret-key-at-all" }
models = ["wrong/*"]
`;

let fake: FakeBedrock;
let hoosh: Hoosh;
let dir: string;
let client: E2E["client"];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "hoosh-aws-"));
  const credentials = join(dir, "credentials");
  writeFileSync(credentials, `[default]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = other\n\n[hoosh]\naws_access_key_id = ${KEY_ID}\naws_secret_access_key = ${SECRET}\n`);
  fake = await startFakeBedrock({ args: ["--access-key-id", KEY_ID, "--secret-access-key", SECRET, "--region", "eu-west-1"] });
  ({ hoosh, client } = await startE2E(config(fake.url, credentials)));
}, 30_000);
afterAll(async () => {
  await hoosh?.stop();
  await fake?.stop();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await fake.reset();
});


describe('type = "bedrock" through a real hoosh', () => {
  providerContract({
    client: () => client,
    provider: "aws",
    chatModel: "anthropic.claude-3-5-haiku-20241022-v1:0",
    toolModel: "amazon.nova-lite-v1:0",
    models: { throttled: "fake-throttle", notFound: "fake-404", unavailable: "fake-unavailable", longStream: "fake-long-stream" },
    closedAt: (model) => closedAt(fake)(model),
  });

  it("models of several families go through Converse, each request signed (the fake verified every signature)", async () => {
    for (const model of ["meta.llama3-1-8b-instruct-v1:0", "mistral.mistral-large-2407-v1:0", "amazon.nova-lite-v1:0"]) {
      const res = await client.generate({ model, messages: [{ role: Role.SYSTEM, content: [{ part: { case: "text", value: "Be brief." } }] }, user(`hi ${model}`)] });
      expect(res.message?.content[0]?.part.value).toBe(`echo: hi ${model}`);
    }
    const reqs = (await fake.events()).filter((e) => e.type === "request");
    expect(reqs.map((e) => e.type === "request" && [e.path, e.signature])).toEqual([
      ["/model/meta.llama3-1-8b-instruct-v1%3A0/converse", "ok"],
      ["/model/mistral.mistral-large-2407-v1%3A0/converse", "ok"],
      ["/model/amazon.nova-lite-v1%3A0/converse", "ok"],
    ]);
    const first = reqs[0];
    expect(first?.type === "request" && first.body).toEqual({ messages: [{ role: "user", content: [{ text: "hi meta.llama3-1-8b-instruct-v1:0" }] }], system: [{ text: "Be brief." }] });
  });

  it("credentials from a shared profile file sign as well", async () => {
    const res = await client.generate({ model: "profile/amazon.nova-lite-v1:0", messages: [user("from the profile")] });
    expect(res.message?.content[0]?.part.value).toBe("echo: from the profile");
  });

  it("a wrong secret key: the fake rejects the signature, hoosh answers UNAUTHENTICATED without the secret", async () => {
    const err = await rejection(() => client.generate({ model: "wrong/amazon.nova-lite-v1:0", messages: [user("x")] }));
    expect(Code[err.code]).toBe(Code[Code.Unauthenticated]);
    expect(err.rawMessage).toContain("The request signature we calculated does not match the signature you provided");
    expect(err.rawMessage).toContain("(InvalidSignatureException)");
    expect(err.rawMessage).not.toContain("not-the-secret");
    const [req] = (await fake.events()).filter((e) => e.type === "request");
    expect(req?.type === "request" && req.signature).toBe("InvalidSignatureException");
  });

  it("throttling mid-stream (an exception frame) is RESOURCE_EXHAUSTED", async () => {
    const err = await rejection(async () => {
      for await (const _ of client.generateStream({ model: "fake-stream-throttle", messages: [user("a few words here")] })) void _;
    });
    expect(Code[err.code]).toBe(Code[Code.ResourceExhausted]);
    expect(err.rawMessage).toContain("failed mid-stream: Too many tokens, please wait before trying again. (ThrottlingException)");
  });

  it("a guardrail intervention is finish reason CONTENT_FILTER", async () => {
    const res = await client.generate({ model: "fake-guardrail", messages: [user("x")] });
    expect(res.finishReason).toBe(FinishReason.CONTENT_FILTER);
  });

  it("max tokens cut the answer with finish reason LENGTH", async () => {
    const res = await client.generate({ model: "amazon.nova-lite-v1:0", messages: [user("one two three four five")], sampling: { maxTokens: 2 } });
    expect(res.finishReason).toBe(FinishReason.LENGTH);
    expect(res.message?.content[0]?.part.value).toBe("echo: one");
  });

  it("Titan embeddings (one InvokeModel per input)", async () => {
    const res = await client.embed({ model: "amazon.titan-embed-text-v2:0", inputs: ["alpha", "beta gamma"], dimensions: 4 });
    expect(res.embeddings.map((e) => e.values)).toEqual([fakeVector("alpha", 4), fakeVector("beta gamma", 4)]);
    expect(res.usage?.inputTokens).toBe(3);
  });

  it("JSON formats are answered through a forced tool: the answer is the text, finish STOP, no tool call", async () => {
    const responseFormat = { type: ResponseFormat_Type.JSON_SCHEMA, jsonSchema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } };
    const res = await client.generate({ model: "amazon.nova-lite-v1:0", messages: [user("where?")], responseFormat });
    expect([res.message?.content[0]?.part.value, res.finishReason, res.message?.toolCalls.length]).toEqual(['{"city":"Paris"}', FinishReason.STOP, 0]);
    const events = [];
    for await (const e of client.generateStream({ model: "amazon.nova-lite-v1:0", messages: [user("where?")], responseFormat })) events.push(e.event);
    const end = events.at(-1);
    expect(end?.case === "end" && [end.value.message?.content[0]?.part.value, end.value.finishReason]).toEqual(['{"city":"Paris"}', FinishReason.STOP]);
    expect(events.some((e) => e.case === "toolCall")).toBe(false);
  });

  it("ListModels includes the region's foundation models (signed GET /foundation-models)", async () => {
    const models = createClient(ModelsService, createConnectTransport({ baseUrl: hoosh.url, httpVersion: "1.1" }));
    const { models: listed } = await models.listModels({});
    expect(listed.map((m) => m.id)).toContain("meta.llama3-1-8b-instruct-v1:0");
  });
});
