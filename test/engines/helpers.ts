// Shared by the engine tests: which GGUF to run (the real stories260K beside the project, or a
// generated zero-weight model when it is absent), a LocalProvider built from a config entry,
// and small request helpers.
import { existsSync } from "node:fs";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { MessageSchema, Role, SamplingParamsSchema } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { GenerateRequestSchema, type GenerateRequest, type GenerateStreamResponse } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { afterAll, beforeAll } from "vitest";
import { parseConfig } from "../../server/config/index.js";
import type { LocalProvider } from "../../server/providers/local/client.js";
import { createLocalProvider } from "../../server/providers/local/config.js";
import type { CallContext } from "../../server/providers/provider.js";
import { REPO_ROOT } from "../harness/hoosh.js";
import { tinyLlamaGguf } from "./tiny-llama.js";

export const SHARED_MODEL = join(REPO_ROOT, "..", "shared", "models", "stories260K.gguf");
/** True when the real trained model is there: tests about real text need it. HOOSH_TEST_NO_SHARED_MODEL=1 acts as if it were absent. */
export const REAL_MODEL = !process.env.HOOSH_TEST_NO_SHARED_MODEL && existsSync(SHARED_MODEL);

/** For tests about real text: fails (never skips) when the shared model is absent. */
export function requireRealModel(): void {
  if (!REAL_MODEL) throw new Error(`${SHARED_MODEL} is absent (or HOOSH_TEST_NO_SHARED_MODEL is set): this test needs the real stories260K model`);
}

let generated: { dir: string; path: string } | undefined;

/** A generated zero-weight GGUF (written once per test file, removed with removeGenerated()). */
export function generatedModel(): string {
  if (!generated) {
    const dir = mkdtempSync(join(tmpdir(), "hoosh-tiny-gguf-"));
    const path = join(dir, "tiny-llama.gguf");
    writeFileSync(path, tinyLlamaGguf());
    generated = { dir, path };
  }
  return generated.path;
}

export function removeGenerated(): void {
  if (generated) rmSync(generated.dir, { recursive: true, force: true });
  generated = undefined;
}

/** The model generation tests run: stories260K, else the generated one (said plainly, once). */
export function testModel(): string {
  if (REAL_MODEL) return SHARED_MODEL;
  console.log(`NOTE: ${SHARED_MODEL} is absent; generation tests run on a generated zero-weight GGUF (meaningless text) and the tests that need real text are skipped`);
  return generatedModel();
}

/**
 * For a test file: a factory of providers on the test model (localProvider's `local` keys), all
 * closed, and a generated model removed, after the file's tests.
 */
export function useTestProviders(): (local: string) => LocalProvider {
  let model = "";
  const providers: LocalProvider[] = [];
  beforeAll(() => {
    model = testModel();
  });
  afterAll(async () => {
    await Promise.all(providers.map((p) => p.close()));
    removeGenerated();
  });
  return (local) => {
    const p = localProvider(model, local);
    providers.push(p);
    return p;
  };
}

/** A provider serving model id "stories"; `local` adds keys to its `local = { ... }` table (threads 1 and context 1024 unless given). */
export function localProvider(modelPath: string, local = "", name = "tiny"): LocalProvider {
  const keys = [`model_path = ${JSON.stringify(modelPath)}`, local];
  for (const fallback of ["threads = 1", "context_size = 1024"]) if (!local.includes(fallback.split(" ")[0]!)) keys.push(fallback);
  const config = parseConfig(
    `[[providers]]\nname = "${name}"\ntype = "local"\nmodels = ["stories"]\nlocal = { ${keys.filter(Boolean).join(", ")} }\n`,
    { source: "test", env: {} },
  );
  return createLocalProvider(config.providers[0]!, 0, "test");
}

export function chat(text: string, sampling: MessageInitShape<typeof SamplingParamsSchema> = {}, extra: MessageInitShape<typeof GenerateRequestSchema> = {}): GenerateRequest {
  const req = create(GenerateRequestSchema, extra);
  req.model = "stories";
  req.messages = [create(MessageSchema, { role: Role.USER, content: [{ part: { case: "text", value: text } }] })];
  req.sampling = create(SamplingParamsSchema, { maxTokens: 40, ...sampling });
  return req;
}

export function call(signal: AbortSignal = new AbortController().signal): CallContext {
  return { signal, requestId: "test" };
}

export function textOf(events: GenerateStreamResponse[]): string {
  return events.map((e) => (e.event.case === "text" ? e.event.value.text : "")).join("");
}
