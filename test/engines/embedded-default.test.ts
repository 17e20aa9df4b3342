// The README's first command on a fresh machine: `hoosh serve` with no --config serves the
// embedded default model (Gemma 3 270M, installed into the data dir by
// scripts/setup-default-model.sh, which scripts/test.sh runs), and `hoosh infer default ...`
// gets a sensible answer. That GGUF has no chat template (a base model), so it is served through
// the few-shot conversation format (server/engines/llm/base-model-wrapper.ts). Its budget
// ledger is a SQLite file in the data dir: committed usage survives kill -9.
// The data dir here is a temp one whose models/ and venv-whisper link to the installed ones.
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import OpenAI from "openai";
import { Health, HealthCheckResponse_ServingStatus } from "../../gen/ts/grpc/health/v1/health_pb.js";
import { BudgetService } from "../../gen/ts/hoosh/v1/budget_pb.js";
import { ModelsService } from "../../gen/ts/hoosh/v1/models_pb.js";
import { modelsDir } from "../../server/engines/data-dir.js";
import { cleanEnv, runHoosh, spawnServe, type ServeProcess } from "../harness/cli.js";
import { installEngines } from "../speech/harness.js";

const home = cleanEnv({ ...(process.env.HOME && { HOME: process.env.HOME }), ...(process.env.HOOSH_DATA_DIR && { HOOSH_DATA_DIR: process.env.HOOSH_DATA_DIR }) });
const MODEL = join(modelsDir(home), "gemma3-270m-q4_k_m.gguf");
const present = existsSync(MODEL);

describe("embedded default model", () => {
  let server: ServeProcess;
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    // scripts/test.sh installs it; a missing model fails here rather than skipping the suite.
    if (!present) throw new Error(`embedded default model absent (${MODEL}): run scripts/setup-default-model.sh`);
    dataDir = mkdtempSync(join(tmpdir(), "hoosh-data-"));
    mkdirSync(join(dataDir, "models"));
    symlinkSync(MODEL, join(dataDir, "models", "gemma3-270m-q4_k_m.gguf"));
    // The default config also runs the speech-to-text engine (scripts/setup-speech.sh; a no-op when installed).
    symlinkSync(join(installEngines(), "venv-whisper"), join(dataDir, "venv-whisper"));
    env = { ...home, HOOSH_DATA_DIR: dataDir };
    server = await spawnServe(["--port", "0"], env);
  }, 900_000);
  afterAll(async () => {
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("hoosh infer default answers a plain question sensibly", { timeout: 180_000 }, async () => {
    // The first request waits for the background load of the model (and shares the CPU with the
    // speech engine's own start): on a busy 2-core machine that alone can take tens of seconds.
    const res = await runHoosh(["infer", "--server", server.url, "--temperature", "0", "default", "What is the capital of France?"], { env, timeoutMs: 150_000 });
    console.log(`hoosh infer default "What is the capital of France?" → ${res.stdout.trim()} ${res.stderr.trim()}`);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/Paris/);
    // The few-shot format's own markers never leak into the answer.
    expect(res.stdout).not.toMatch(/User:|Assistant:/);
    expect(res.stderr).toMatch(/provider=embedded .*finish=STOP/);
  });

  it("the model loaded in the background: once it answered, grpc.health and ListModels say it serves", { timeout: 60_000 }, async () => {
    // The server listened before the model had loaded (load = "startup" in the default config);
    // the first test's request waited for the load. After it, the provider is SERVING.
    const transport = createGrpcTransport({ baseUrl: server.url });
    const health = await createClient(Health, transport).check({ service: "hoosh.provider.embedded" });
    expect(health.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    const { models } = await createClient(ModelsService, transport).listModels({});
    const embedded = models.find((m) => m.provider === "embedded")!;
    expect(embedded.healthReason).not.toMatch(/loading/);
  });

  it("the OpenAI shim streams an answer from the same model", { timeout: 60_000 }, async () => {
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused", maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: "default",
      temperature: 0,
      stream: true,
      messages: [{ role: "user", content: "What is the largest planet in the solar system?" }],
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    console.log(`OpenAI shim, stream: "What is the largest planet in the solar system?" → ${text}`);
    expect(text).toMatch(/Jupiter/);
    expect(text).toBe(text.trimStart());
  });

  it("its usage is in <data dir>/hoosh.db and survives kill -9", { timeout: 60_000 }, async () => {
    const pool = async (url: string) => (await createClient(BudgetService, createGrpcTransport({ baseUrl: url })).getPool({ name: "default" })).pool!;
    const before = Number((await pool(server.url)).usedTokens);
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused", maxRetries: 0 });
    const res = await client.chat.completions.create({ model: "default", temperature: 0, max_tokens: 8, messages: [{ role: "user", content: "Say hello." }] });
    const used = res.usage!.prompt_tokens + res.usage!.completion_tokens;
    expect(Number((await pool(server.url)).usedTokens)).toBe(before + used);
    expect(existsSync(join(dataDir, "hoosh.db"))).toBe(true);
    await server.stop("SIGKILL");
    server = await spawnServe(["--port", "0"], env);
    const after = await pool(server.url);
    console.log(`default pool after kill -9 and restart: used ${after.usedTokens} (${before} + ${used}), reserved ${after.reservedTokens}`);
    expect(Number(after.usedTokens)).toBe(before + used);
    expect(Number(after.reservedTokens)).toBe(0);
  });
});
