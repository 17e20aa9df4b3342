// Google Vertex AI end to end: a real hoosh with type "vertex" providers
// against the fake Vertex, whose OAuth endpoint verifies the service
// account's signed JWT assertion (against its public key) and whose API
// accepts only the bearer tokens it issued. Gemini models through the gemini
// translation, Claude models (rawPredict / streamRawPredict) through the
// anthropic one.
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { embed as fakeVector } from "../fakes/openai/embeddings.js";
import { startFakeVertex, type FakeVertex } from "../fakes/spawn-clouds.js";
import type { Hoosh } from "../harness/hoosh.js";
import { closedAt as closedOn, FAULTS_EXPECTED, startE2E, user, type E2E } from "./e2e-harness.js";
import { providerContract, rejection } from "./contract.js";

const EMAIL = "hoosh-test@hoosh-project.iam.gserviceaccount.com";
const pair = () => generateKeyPairSync("rsa", { modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } });
const serviceAccount = (privateKey: string, tokenUri: string) =>
  JSON.stringify({ type: "service_account", project_id: "hoosh-project", private_key_id: "k1", private_key: privateKey, client_email: EMAIL, client_id: "1", token_uri: tokenUri });

const config = (url: string, keyFile: string, wrongJson: string) => `

[[providers]]
name = "gcp"
type = "vertex"
project = "hoosh-project"
location = "europe-west4"
base_url = "${url}"
credentials = { service_account_file = "${keyFile}" }
models = ["gemini-*", "claude-*", "text-embedding-*", "fake-*"]
${FAULTS_EXPECTED}

[[providers]]
name = "gcp-wrongkey"
type = "vertex"
project = "hoosh-project"
location = "europe-west4"
base_url = "${url}"
credentials = { service_account_json = '''${wrongJson}''' }
models = ["wrong/*"]
`;

let fake: FakeVertex;
let hoosh: Hoosh;
let dir: string;
let client: E2E["client"];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "hoosh-gcp-"));
  const good = pair();
  writeFileSync(join(dir, "public.pem"), good.publicKey);
  fake = await startFakeVertex({ args: ["--project", "hoosh-project", "--location", "europe-west4", "--client-email", EMAIL, "--public-key-file", join(dir, "public.pem")] });
  const keyFile = join(dir, "sa.json");
  writeFileSync(keyFile, serviceAccount(good.privateKey, `${fake.url}/token`));
  ({ hoosh, client } = await startE2E(config(fake.url, keyFile, serviceAccount(pair().privateKey, `${fake.url}/token`))));
}, 30_000);
afterAll(async () => {
  await hoosh?.stop();
  await fake?.stop();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await fake.reset();
});

const closedAt = (model: string) => closedOn(fake)(model);

describe('type = "vertex" through a real hoosh: Gemini models', () => {
  providerContract({
    client: () => client,
    provider: "gcp",
    chatModel: "gemini-2.0-flash",
    toolModel: "gemini-2.5-flash",
    models: { throttled: "fake-429", notFound: "fake-404", unavailable: "fake-503", longStream: "fake-long-stream" },
    closedAt,
  });

  it("calls the project's regional publisher path with the issued bearer token", async () => {
    await client.generate({ model: "gemini-2.0-flash", messages: [user("hi")] });
    const reqs = (await fake.events()).filter((e) => e.type === "request" && e.action !== "token");
    expect(reqs.map((e) => e.type === "request" && [e.path, e.bearer])).toEqual([
      ["/v1/projects/hoosh-project/locations/europe-west4/publishers/google/models/gemini-2.0-flash:generateContent", "ok"],
    ]);
  });

  it("one token serves many calls (cached until it nears expiry)", async () => {
    for (let i = 0; i < 3; i++) await client.generate({ model: "gemini-2.0-flash", messages: [user(`call ${i}`)] });
    const { issued } = (await (await fetch(`${fake.url}/_fake/tokens`)).json()) as { issued: number };
    expect(issued).toBe(1);
  });

  it("a platform quota error is RESOURCE_EXHAUSTED", async () => {
    const err = await rejection(() => client.generate({ model: "fake-quota", messages: [user("x")] }));
    expect(Code[err.code]).toBe(Code[Code.ResourceExhausted]);
    expect(err.rawMessage).toContain("Quota exceeded for aiplatform.googleapis.com");
  });

  it("Google's safety filter: a blocked prompt is INVALID_ARGUMENT naming the block reason", async () => {
    const err = await rejection(() => client.generate({ model: "gemini-2.0-flash", messages: [user("this gets blocked")] }));
    expect(Code[err.code]).toBe(Code[Code.InvalidArgument]);
    expect(err.rawMessage).toContain('provider "gcp" blocked the prompt (blockReason SAFETY');
  });

  it("text embeddings through predict", async () => {
    const res = await client.embed({ model: "text-embedding-005", inputs: ["one", "two words"], dimensions: 4 });
    expect(res.embeddings.map((e) => e.values)).toEqual([fakeVector("one", 4), fakeVector("two words", 4)]);
    expect(res.usage?.inputTokens).toBe(3);
  });

  it("a service-account key the account does not have: the token endpoint refuses the JWT, UNAUTHENTICATED", async () => {
    const err = await rejection(() => client.generate({ model: "wrong/gemini-2.0-flash", messages: [user("x")] }));
    expect(Code[err.code]).toBe(Code[Code.Unauthenticated]);
    expect(err.rawMessage).toContain("Invalid JWT Signature");
    expect(err.rawMessage).not.toContain("PRIVATE KEY");
    expect(hoosh.stderr()).not.toContain("PRIVATE KEY");
  });
});

describe('type = "vertex" through a real hoosh: Claude models', () => {
  providerContract({
    client: () => client,
    provider: "gcp",
    chatModel: "claude-sonnet-4@20250514",
    toolModel: "claude-sonnet-4@20250514",
    models: { throttled: "claude-fake-429", notFound: "claude-fake-404", unavailable: "claude-fake-529", longStream: "claude-fake-long-stream" },
    closedAt,
  });

  it("rawPredict gets the Messages body without model and with the Vertex anthropic_version", async () => {
    await client.generate({ model: "claude-sonnet-4@20250514", messages: [user("hi")] });
    const [req] = (await fake.events()).filter((e) => e.type === "request" && e.action !== "token");
    expect(req).toMatchObject({ path: "/v1/projects/hoosh-project/locations/europe-west4/publishers/anthropic/models/claude-sonnet-4%4020250514:rawPredict", bearer: "ok" });
    expect(req?.type === "request" && req.body).toMatchObject({ anthropic_version: "vertex-2023-10-16", max_tokens: 4096, messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }] });
    expect(req?.type === "request" && Object.keys(req.body as object)).not.toContain("model");
  });
});
