// The cloud fakes verify what the real services verify: each refuses what
// the real one refuses (missing or wrong credentials, a tampered signature, a
// JWT signed by another key, a wrong audience, a missing api-version), so the
// e2e tests that pass through them mean something.
import { createSign, generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sigv4Authorizer } from "../../server/providers/bedrock/sigv4.js";
import { startFakeAzure, startFakeBedrock, startFakeVertex, type FakeAzure, type FakeBedrock, type FakeVertex } from "../fakes/spawn-clouds.js";

const post = (url: string, body: string, headers: Record<string, string> = {}) => fetch(url, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
const CHAT = JSON.stringify({ model: "x", messages: [{ role: "user", content: "hi" }] });

describe("fake Azure OpenAI", () => {
  let fake: FakeAzure;
  beforeAll(async () => {
    fake = await startFakeAzure({ apiKey: "right-key", args: ["--tenant", "t1", "--client-id", "app", "--client-secret", "s3cret"] });
  }, 20_000);
  afterAll(() => fake?.stop());
  const chat = (query: string, headers: Record<string, string>, deployment = "gpt4o-prod") => post(`${fake.url}/openai/deployments/${deployment}/chat/completions${query}`, CHAT, headers);

  it("needs a known api-version, the api-key (or an issued token) and an existing deployment", async () => {
    expect((await chat("", { "api-key": "right-key" })).status).toBe(404);
    expect((await chat("?api-version=1999-01-01", { "api-key": "right-key" })).status).toBe(404);
    expect((await chat("?api-version=2024-10-21", { "api-key": "wrong" })).status).toBe(401);
    expect((await chat("?api-version=2024-10-21", { authorization: "Bearer right-key" })).status).toBe(401);
    const missing = await chat("?api-version=2024-10-21", { "api-key": "right-key" }, "nope");
    expect([missing.status, ((await missing.json()) as { error: { code: string } }).error.code]).toEqual([404, "DeploymentNotFound"]);
    expect((await chat("?api-version=2024-10-21", { "api-key": "right-key" })).status).toBe(200);
  });

  it("the Entra endpoint checks tenant, client id, secret and scope before issuing a token the API accepts", async () => {
    const token = (tenant: string, form: Record<string, string>) => fetch(`${fake.url}/${tenant}/oauth2/v2.0/token`, { method: "POST", body: new URLSearchParams(form) });
    const good = { grant_type: "client_credentials", client_id: "app", client_secret: "s3cret", scope: "https://cognitiveservices.azure.com/.default" };
    expect((await token("other", good)).status).toBe(400);
    expect((await token("t1", { ...good, client_secret: "nope" })).status).toBe(401);
    expect((await token("t1", { ...good, scope: "https://graph.microsoft.com/.default" })).status).toBe(400);
    const issued = (await (await token("t1", good)).json()) as { access_token: string };
    expect((await chat("?api-version=2024-10-21", { authorization: `Bearer ${issued.access_token}` })).status).toBe(200);
  });
});

describe("fake Bedrock", () => {
  let fake: FakeBedrock;
  const keys = { accessKeyId: "AKIAFAKETEST", secretAccessKey: "fake/secret+key", source: "test" };
  beforeAll(async () => {
    fake = await startFakeBedrock({ args: ["--access-key-id", keys.accessKeyId, "--secret-access-key", keys.secretAccessKey, "--region", "us-east-1"] });
  }, 20_000);
  afterAll(() => fake?.stop());
  const body = JSON.stringify({ messages: [{ role: "user", content: [{ text: "hi" }] }] });
  const url = () => new URL(`${fake.url}/model/${encodeURIComponent("amazon.nova-lite-v1:0")}/converse`);
  const signed = async (secret = keys.secretAccessKey, region = "us-east-1") => {
    const headers = { "content-type": "application/json" };
    const call = { signal: new AbortController().signal, requestId: "t" };
    return { ...headers, ...(await sigv4Authorizer(region, { ...keys, secretAccessKey: secret })({ method: "POST", url: url(), headers, body }, call)) };
  };
  const errorType = (res: Response) => res.headers.get("x-amzn-errortype")?.split(":")[0];

  it("accepts the AWS signer's signature, recomputed from the raw request", async () => {
    expect((await post(url().href, body, await signed())).status).toBe(200);
  });

  it("refuses no signature, a wrong secret, another region, and a body changed after signing", async () => {
    expect(errorType(await post(url().href, body))).toBe("MissingAuthenticationTokenException");
    expect(errorType(await post(url().href, body, await signed("wrong-secret")))).toBe("InvalidSignatureException");
    expect(errorType(await post(url().href, body, await signed(keys.secretAccessKey, "eu-west-1")))).toBe("InvalidSignatureException");
    const tampered = await post(url().href, body.replace("hi", "ho"), await signed());
    expect([tampered.status, errorType(tampered)]).toEqual([403, "InvalidSignatureException"]);
  });
});

describe("fake Vertex AI", () => {
  let fake: FakeVertex;
  let dir: string;
  const EMAIL = "sa@p.iam.gserviceaccount.com";
  const pair = () => generateKeyPairSync("rsa", { modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } });
  const good = pair();
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "hoosh-vfake-"));
    writeFileSync(join(dir, "pub.pem"), good.publicKey);
    fake = await startFakeVertex({ args: ["--project", "p", "--location", "us-central1", "--client-email", EMAIL, "--public-key-file", join(dir, "pub.pem")] });
  }, 20_000);
  afterAll(async () => {
    await fake?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const jwt = (key: string, claims: Record<string, unknown>) => {
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const unsigned = `${part({ alg: "RS256", typ: "JWT" })}.${part(claims)}`;
    return `${unsigned}.${createSign("RSA-SHA256").update(unsigned).sign(key).toString("base64url")}`;
  };
  const exchange = (assertion: string) => fetch(`${fake.url}/token`, { method: "POST", body: new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion }) });
  const claims = () => {
    const now = Math.floor(Date.now() / 1000);
    return { iss: EMAIL, aud: `${fake.url}/token`, scope: "https://www.googleapis.com/auth/cloud-platform", iat: now, exp: now + 3600 };
  };
  const generate = (token?: string) => post(`${fake.url}/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.0-flash:generateContent`, JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }] }), token ? { authorization: `Bearer ${token}` } : {});

  it("verifies the assertion's signature against the account's public key, its audience, scope and lifetime", async () => {
    const reason = async (res: Response) => [res.status, ((await res.json()) as { error_description: string }).error_description];
    expect(await reason(await exchange(jwt(pair().privateKey, claims())))).toEqual([400, "Invalid JWT Signature."]);
    expect((await reason(await exchange(jwt(good.privateKey, { ...claims(), aud: "https://oauth2.googleapis.com/token" }))))[1]).toContain("aud must be");
    expect((await exchange(jwt(good.privateKey, { ...claims(), scope: "openid" }))).status).toBe(400);
    expect((await exchange(jwt(good.privateKey, { ...claims(), exp: Math.floor(Date.now() / 1000) + 7200 }))).status).toBe(400);
  });

  it("the API takes only tokens it issued", async () => {
    expect((await generate()).status).toBe(401);
    expect((await generate("ya29.made-up")).status).toBe(401);
    const { access_token } = (await (await exchange(jwt(good.privateKey, claims()))).json()) as { access_token: string };
    expect((await generate(access_token)).status).toBe(200);
  });
});
