// Off-the-shelf gRPC tools against a real `hoosh serve` process: grpcurl (grpc-go, server reflection)
// and `buf curl` (connect-go: gRPC over h2c, Connect over HTTP/1.1).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "./fakes/spawn.js";
import { fakeProviderConfig, REPO_ROOT, startHoosh, type Hoosh } from "./harness/hoosh.js";
import { npmBinPath, parseJsonSequence, run, toolPath, type RunResult } from "./harness/tools.js";

// Each test spawns tools (Go binaries start fast, but the machine may be busy).
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

let grpcurlBin: string;
let bufBin: string;
let fake: FakeOpenAI;
let hoosh: Hoosh;
let address: string;

beforeAll(async () => {
  // Throws (failing every test with the reason) when a tool is missing: install it, do not skip.
  grpcurlBin = toolPath("grpcurl");
  bufBin = npmBinPath("buf");
  fake = await startFakeOpenAI();
  hoosh = await startHoosh(fakeProviderConfig(fake.baseUrl));
  address = `127.0.0.1:${hoosh.port}`;
}, 30_000);

afterAll(async () => {
  await hoosh?.stop();
  await fake?.stop();
});

const generateJson = (model: string, text: string) => JSON.stringify({ model, messages: [{ role: "ROLE_USER", content: [{ text }] }] });

const grpcurl = (...args: string[]) => run(grpcurlBin, ["-plaintext", ...args], { timeoutMs: 20_000 });
const bufCurl = (...args: string[]) => run(bufBin, ["curl", ...args], { timeoutMs: 20_000 });

/** Fails with the tool's output when it did not exit 0. */
function ok(res: RunResult): string {
  expect(res.code, `exit ${res.code}\n--- stdout ---\n${res.stdout}\n--- stderr ---\n${res.stderr}`).toBe(0);
  return res.stdout;
}

/** Services declared in proto/hoosh/v1/*.proto. */
function declaredHooshServices(): string[] {
  const dir = join(REPO_ROOT, "proto", "hoosh", "v1");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".proto"))
    .flatMap((f) => [...readFileSync(join(dir, f), "utf8").matchAll(/^service (\w+) \{/gm)].map((m) => `hoosh.v1.${m[1]}`));
}

describe("grpcurl (reflection)", () => {
  let listed: string[];

  beforeAll(async () => {
    listed = ok(await grpcurl(address, "list")).trim().split("\n");
    console.log(`grpcurl list:\n  ${listed.join("\n  ")}`);
  });

  it("lists at least InferenceService, ModelsService, Health and both reflection services", () => {
    expect(listed).toEqual(
      expect.arrayContaining([
        "hoosh.v1.InferenceService",
        "hoosh.v1.ModelsService",
        "grpc.health.v1.Health",
        "grpc.reflection.v1.ServerReflection",
        "grpc.reflection.v1alpha.ServerReflection",
      ]),
    );
  });

  it("lists only hoosh.v1 services that proto/hoosh/v1 declares", () => {
    const declared = declaredHooshServices();
    for (const service of listed.filter((s) => s.startsWith("hoosh."))) expect(declared).toContain(service);
  });

  it("lists every hoosh.v1 service the server reports in grpc.health.v1.Health/List", async () => {
    const { statuses } = JSON.parse(ok(await grpcurl("-d", "{}", address, "grpc.health.v1.Health/List"))) as { statuses: Record<string, unknown> };
    // hoosh.v1.* entries are services; hoosh.provider.* entries are provider health, not services.
    const served = Object.keys(statuses).filter((s) => s.startsWith("hoosh.v1."));
    expect(served).toContain("hoosh.v1.InferenceService");
    for (const service of served) expect(listed).toContain(service);
    expect(Object.keys(statuses)).toContain("hoosh.provider.fake");
  });

  it("describes every listed service (files resolve with their dependencies)", async () => {
    for (const service of listed) {
      const out = ok(await grpcurl(address, "describe", service));
      expect(out).toContain(`${service} is a service:`);
    }
  });

  it("describe hoosh.v1.InferenceService shows Generate, GenerateStream and Embed", async () => {
    const out = ok(await grpcurl(address, "describe", "hoosh.v1.InferenceService"));
    expect(out).toMatch(/rpc Generate \( \.hoosh\.v1\.GenerateRequest \) returns \( \.hoosh\.v1\.GenerateResponse \)/);
    expect(out).toMatch(/rpc GenerateStream \( \.hoosh\.v1\.GenerateStreamRequest \) returns \( stream \.hoosh\.v1\.GenerateStreamResponse \)/);
    expect(out).toMatch(/rpc Embed \( \.hoosh\.v1\.EmbedRequest \) returns \( \.hoosh\.v1\.EmbedResponse \)/);
  });

  it("calls Generate with a JSON request", async () => {
    const res = JSON.parse(ok(await grpcurl("-d", generateJson("m", "hi"), address, "hoosh.v1.InferenceService/Generate")));
    expect(res).toMatchObject({
      model: "m",
      message: { role: "ROLE_ASSISTANT", content: [{ text: "echo: hi" }] },
      finishReason: "FINISH_REASON_STOP",
      usage: { provider: "fake" },
    });
  });

  it("streams GenerateStream as several messages", async () => {
    const messages = parseJsonSequence(ok(await grpcurl("-d", generateJson("m", "one two three"), address, "hoosh.v1.InferenceService/GenerateStream"))) as Record<string, any>[];
    expect(messages.map((m) => Object.keys(m)[0])).toEqual(["start", "text", "text", "text", "text", "end"]);
    expect(messages.slice(1, -1).map((m) => m.text.text).join("")).toBe("echo: one two three");
    expect(messages.at(-1)!.end).toMatchObject({ finishReason: "FINISH_REASON_STOP", message: { content: [{ text: "echo: one two three" }] } });
  });

  it("reports an upstream error with its gRPC code (exit 64 + code)", async () => {
    const res = await grpcurl("-d", generateJson("fake-404", "hi"), address, "hoosh.v1.InferenceService/Generate");
    expect(res.code).toBe(64 + 5);
    expect(res.stderr).toContain("Code: NotFound");
  });

  it("shows a readable InvalidArgument message naming the field", async () => {
    const res = await grpcurl("-d", generateJson("", "hi"), address, "hoosh.v1.InferenceService/Generate");
    expect(res.code).toBe(64 + 3);
    expect(res.stderr).toContain("Code: InvalidArgument");
    expect(res.stderr).toContain("Message: model: is required");
  });

  it("health: grpc.health.v1.Health/Check answers SERVING, overall and per service", async () => {
    expect(JSON.parse(ok(await grpcurl(address, "grpc.health.v1.Health/Check")))).toEqual({ status: "SERVING" });
    const perService = ok(await grpcurl("-d", '{"service":"hoosh.v1.InferenceService"}', address, "grpc.health.v1.Health/Check"));
    expect(JSON.parse(perService)).toEqual({ status: "SERVING" });
  });
});

describe("buf curl", () => {
  it("--protocol grpc --http2-prior-knowledge with reflection calls Generate", async () => {
    const out = ok(
      await bufCurl("--protocol", "grpc", "--http2-prior-knowledge", "-d", generateJson("m", "hi buf"), `${hoosh.url}/hoosh.v1.InferenceService/Generate`),
    );
    expect(JSON.parse(out)).toMatchObject({ message: { content: [{ text: "echo: hi buf" }] }, usage: { provider: "fake" } });
  });

  it("--protocol connect over HTTP/1.1 (schema from proto/, since reflection needs HTTP/2)", async () => {
    const res = await bufCurl("--protocol", "connect", "--schema", "proto", "-v", "-d", generateJson("m", "hi connect"), `${hoosh.url}/hoosh.v1.InferenceService/Generate`);
    expect(JSON.parse(ok(res))).toMatchObject({ message: { content: [{ text: "echo: hi connect" }] } });
    expect(res.stderr).toMatch(/< \(#1\) HTTP\/1\.1 200 OK/);
  });

  it("--protocol connect streams GenerateStream over HTTP/1.1", async () => {
    const res = await bufCurl("--protocol", "connect", "--schema", "proto", "-v", "-d", generateJson("m", "x y"), `${hoosh.url}/hoosh.v1.InferenceService/GenerateStream`);
    const messages = parseJsonSequence(ok(res)) as Record<string, unknown>[];
    expect(messages.map((m) => Object.keys(m)[0])).toEqual(["start", "text", "text", "text", "end"]);
    expect(res.stderr).toMatch(/HTTP\/1\.1 200 OK/);
  });

  it("--protocol connect with reflection (over HTTP/2) returns errors as exit code = gRPC code << 3", async () => {
    const res = await bufCurl("--protocol", "connect", "-d", generateJson("fake-429", "hi"), `${hoosh.url}/hoosh.v1.InferenceService/Generate`);
    expect(res.code).toBe(8 << 3); // RESOURCE_EXHAUSTED
    expect(res.stdout + res.stderr).toContain("resource_exhausted");
  });
});
