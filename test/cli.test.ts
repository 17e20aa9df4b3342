// The hoosh CLI as users run it: `node --import tsx server/main.ts <command>` in a child process.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Health, HealthCheckResponse_ServingStatus } from "../gen/ts/grpc/health/v1/health_pb.js";
import { FinishReason, Role } from "../gen/ts/hoosh/v1/chat_pb.js";
import { InferenceService, type GenerateStreamResponse } from "../gen/ts/hoosh/v1/inference_pb.js";
import { startFakeOpenAI, type FakeOpenAI } from "./fakes/spawn.js";
import { cleanEnv, runHoosh, spawnServe, type ServeProcess } from "./harness/cli.js";
import { fakeProviderConfig } from "./harness/hoosh.js";
import type { RunResult } from "./harness/tools.js";

// Every test spawns `node --import tsx` processes (1-3 s each, more on a busy machine).
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

let dir: string;
let fake: FakeOpenAI;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hoosh-cli-"));
  // slow-first-byte answers after 1 s: long enough to be in flight at SIGTERM, shorter than the grace period.
  fake = await startFakeOpenAI({ slowMs: 1_000 });
}, 30_000);

afterAll(async () => {
  await fake?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

let fileCount = 0;
async function configFile(toml: string): Promise<string> {
  const path = join(dir, `config-${++fileCount}.toml`);
  await writeFile(path, toml);
  return path;
}

const PROVIDER = `
[[providers]]
name = "fake"
type = "openai"
base_url = "http://127.0.0.1:9/v1"
models = ["*"]
`;

describe("hoosh config check", () => {
  // [what, file content, key path, a substring of the message after "<file>: <path>: "]
  const bad: [string, string, string, string][] = [
    ["unknown provider type", `${PROVIDER}\n[[providers]]\nname = "second"\ntype = "opnai"\nbase_url = "http://127.0.0.1:9/v1"\nmodels = ["*"]\n`, "providers[1].type", '"opnai" is not one of: openai, anthropic, gemini, ollama, azure, bedrock, vertex, local, pocketsphinx, whisper, flite, whisper-server'],
    ["port out of range", `[server]\nport = 70000\n`, "server.port", "70000 is not an integer in 0..65535"],
    ["unknown key (did you mean)", `[server]\nprot = 8080\n`, "server.prot", 'unknown key (did you mean "port"?)'],
    ["missing environment variable", `${PROVIDER}api_key = "\${HOOSH_TEST_UNSET_KEY}"\n`, "providers[0].api_key", "environment variable HOOSH_TEST_UNSET_KEY is not set"],
    ["duplicate provider names", `${PROVIDER}${PROVIDER}`, "providers[1].name", 'duplicate provider name "fake" (already used by providers[0])'],
    ["wrong type", `[server]\nport = "8088"\n`, "server.port", 'expected integer, got string "8088"'],
    ["bad URL scheme", `[[providers]]\nname = "fake"\ntype = "openai"\nbase_url = "ftp://example.com/v1"\nmodels = ["*"]\n`, "providers[0].base_url", '"ftp://example.com/v1" has scheme "ftp"; allowed: http, https'],
    ["not a URL", `[[providers]]\nname = "fake"\ntype = "openai"\nbase_url = "localhost:8080"\nmodels = ["*"]\n`, "providers[0].base_url", '"localhost:8080"'],
    ["empty models", `[[providers]]\nname = "fake"\ntype = "openai"\nbase_url = "http://127.0.0.1:9/v1"\nmodels = []\n`, "providers[0].models", "expected at least 1 entry, got []"],
    ["TOML syntax error", `[server]\nport = = 8088\n`, "line 2, column 8", "TOML syntax error"],
    ["unknown top-level table", `[servr]\nport = 8088\n`, "servr", 'unknown table (did you mean "server"?)'],
    ["bad bind address", `[server]\nbind = "300.1.2.3"\n`, "server.bind", '"300.1.2.3" is not an IP address or "localhost"'],
    ["type contradicting the preset", `[[providers]]\nname = "claude"\npreset = "anthropic"\ntype = "openai"\napi_key = "sk-ant-do-not-print"\nmodels = ["claude-*"]\n`, "providers[0].type", '"openai" conflicts with preset "anthropic" (which speaks anthropic); remove type or the preset'],
    ["unknown router strategy", `[router]\nstrategy = "fastest"\n`, "router.strategy", '"fastest" is not one of: priority, round-robin, lowest-latency, direct, weighted'],
    ["max_attempts out of range", `[router]\nmax_attempts = 0\n`, "router.max_attempts", "0 is not an integer in 1..10"],
    ["invalid provider name", `[[providers]]\nname = "Fake Provider"\ntype = "openai"\nbase_url = "http://127.0.0.1:9/v1"\nmodels = ["*"]\n`, "providers[0].name", '"Fake Provider" is not a valid name'],
    ["budget without capacity", `[[budgets]]\nname = "team"\n`, "budgets[0]", "neither capacity (tokens) nor capacity_usd_micros is set"],
  ];

  describe("bad files exit 2 with exactly one line naming the key path and the value", () => {
    const results = new Map<string, { file: string; res: RunResult }>();
    // One CLI process per file, as many at a time as there are cores (tsx start-up is CPU-bound).
    beforeAll(async () => {
      const queue = [...bad];
      const worker = async () => {
        for (let item = queue.shift(); item; item = queue.shift()) {
          const file = await configFile(item[1]);
          results.set(item[0], { file, res: await runHoosh(["config", "check", file]) });
        }
      };
      await Promise.all(Array.from({ length: Math.max(2, availableParallelism()) }, worker));
    }, 120_000);

    it.each(bad)("%s", (what, _toml, path, message) => {
      const { file, res } = results.get(what)!;
      expect(res.code, res.stderr).toBe(2);
      expect(res.stdout).toBe("");
      expect(res.stderr.endsWith("\n")).toBe(true);
      const lines = res.stderr.slice(0, -1).split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]!.startsWith(`${file}: ${path}: `), lines[0]).toBe(true);
      expect(lines[0]).toContain(message);
      expect(res.stderr).not.toContain("sk-ant-do-not-print");
    });
  });

  it("a missing file exits 2 naming the file", async () => {
    const file = join(dir, "does-not-exist.toml");
    const res = await runHoosh(["config", "check", file]);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe(`${file}: (file): cannot read config file: no such file or directory (ENOENT)\n`);
  });

  it("the file that lacked an environment variable is fine once it is set", async () => {
    const file = await configFile(`${PROVIDER}api_key = "\${HOOSH_TEST_UNSET_KEY}"\n`);
    const res = await runHoosh(["config", "check", file], { env: cleanEnv({ HOOSH_TEST_UNSET_KEY: "sk-set" }) });
    expect(res.code, res.stderr).toBe(0);
  });

  it("a valid file exits 0 with the ok line", async () => {
    const file = await configFile(`[server]\nport = 9099\n${PROVIDER}\n[[budgets]]\nname = "default"\ncapacity = 1000\n`);
    const res = await runHoosh(["config", "check", file]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toBe(`${file}: ok (1 of 1 providers enabled, 1 budgets, listens on 127.0.0.1:9099)\n`);
    expect(res.stderr).toBe("");
  });
});

describe("usage errors", () => {
  it("an unknown command exits 2 and names it", async () => {
    const res = await runHoosh(["frobnicate"]);
    expect(res.code).toBe(2);
    expect(res.stderr.split("\n")[0]).toBe('hoosh: unknown command "frobnicate"; available: serve, infer, transcribe, speak, models, health, info, audit, keys, usage, config');
    expect(res.stderr).toContain("usage:");
  });

  it("serve --port abc exits 2 naming --port", async () => {
    const res = await runHoosh(["serve", "--port", "abc"]);
    expect(res.code).toBe(2);
    expect(res.stderr.split("\n")[0]).toBe('hoosh: --port: "abc" is not an integer in 0..65535');
  });
});

describe("serve, then health / infer / models against it", () => {
  let server: ServeProcess;

  beforeAll(async () => {
    const file = await configFile(fakeProviderConfig(fake.baseUrl));
    server = await spawnServe(["--config", file, "--port", "0"]);
    // Time from spawn until a gRPC health check answers SERVING (checked in-process, polling).
    const sessions = new Http2SessionManager(server.url);
    const health = createClient(Health, createGrpcTransport({ baseUrl: server.url, sessionManager: sessions }));
    const res = await health.check({});
    const answeredAt = performance.now();
    sessions.abort();
    expect(res.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    const ready = server.readyAt - server.spawnedAt;
    const answered = answeredAt - server.spawnedAt;
    console.log(`hoosh serve: spawn → listening ${ready.toFixed(0)} ms, spawn → health answering ${answered.toFixed(0)} ms`);
    expect(answered).toBeLessThan(10_000); // sanity bound only
  }, 30_000);

  afterAll(async () => {
    await server?.stop();
  });

  it("hoosh health prints SERVING and exits 0", async () => {
    const res = await runHoosh(["health", "--server", server.url]);
    console.log(`hoosh health (CLI process, spawn → exit): ${res.ms.toFixed(0)} ms`);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toBe("SERVING\n");
  });

  it("hoosh health of a service name the server does not know exits 1", async () => {
    const res = await runHoosh(["health", "--server", server.url, "--service", "no.such.Service"]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("NotFound");
  });

  it("hoosh infer prints the fake's echo and a usage line", async () => {
    const res = await runHoosh(["infer", "--server", server.url, "fake-model", "hello from the cli"]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toBe("echo: hello from the cli\n");
    expect(res.stderr).toMatch(/^\[model=fake-model provider=fake input_tokens=\d+ output_tokens=5 finish=STOP\]\n$/);
  });

  it("hoosh infer --stream prints the same text as it streams", async () => {
    const res = await runHoosh(["infer", "--server", server.url, "--stream", "fake-model", "hello stream"]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toBe("echo: hello stream\n");
    expect(res.stderr).toContain("provider=fake");
  });

  it("hoosh infer --temperature checks its value before calling", async () => {
    for (const bad of ["hot", "2.5", "NaN", ""]) {
      const res = await runHoosh(["infer", "--server", server.url, "--temperature", bad, "fake-model", "hi"]);
      expect(res.code).toBe(2);
      expect(res.stderr).toContain(`--temperature: ${JSON.stringify(bad)} is not a number from 0 to 2`);
    }
    const ok = await runHoosh(["infer", "--server", server.url, "--temperature", "0", "fake-model", "hi"]);
    expect(ok.code, ok.stderr).toBe(0);
  });

  it("hoosh infer reports an upstream error with its code and exits 1", async () => {
    const res = await runHoosh(["infer", "--server", server.url, "fake-401", "hi"]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^hoosh: Unauthenticated: provider "fake" answered HTTP 401/);
  });

  it("hoosh models prints a table", async () => {
    const res = await runHoosh(["models", "--server", server.url]);
    expect(res.code, res.stderr).toBe(0);
    const rows = res.stdout.trimEnd().split("\n").map((line) => line.split(/ {2,}/));
    expect(rows[0]).toEqual(["MODEL", "PROVIDER", "WHERE", "CAPABILITIES", "HEALTH"]);
    expect(rows.slice(1).map((r) => r[0])).toEqual(["fake-model", "gpt-4o", "gpt-4o-mini", "text-embedding-3-small"]);
    for (const row of rows.slice(1)) expect(row.slice(1, 3)).toEqual(["fake", "local"]);
    expect(rows.find((r) => r[0] === "text-embedding-3-small")?.[3]).toBe("embeddings");
  });

  it("a second instance on the same port fails with EADDRINUSE and exit 1", async () => {
    const file = await configFile(fakeProviderConfig(fake.baseUrl));
    const res = await runHoosh(["serve", "--config", file, "--port", String(server.port)], { timeoutMs: 15_000 });
    expect(res.code, res.stderr).toBe(1);
    expect(res.stderr).toContain("EADDRINUSE");
    expect(res.stderr).toContain(String(server.port));
    // The first instance is unaffected.
    expect((await runHoosh(["health", "--server", server.url])).stdout).toBe("SERVING\n");
  });
});

describe("SIGTERM drains and exits 0", () => {
  it("cuts a long stream after shutdown_grace_ms, lets a short stream in flight finish, exits 0 in time", async () => {
    const GRACE_MS = 2_000; // fakeProviderConfig's shutdown_grace_ms
    const file = await configFile(fakeProviderConfig(fake.baseUrl));
    const server = await spawnServe(["--config", file, "--port", "0"]);
    const sessions = new Http2SessionManager(server.url);
    const client = createClient(InferenceService, createGrpcTransport({ baseUrl: server.url, sessionManager: sessions }));
    const chat = (model: string, text: string) => ({ model, messages: [{ role: Role.USER, content: [{ part: { case: "text" as const, value: text } }] }] });
    try {
      await fake.reset();
      // Long stream: 1200 chunks 50 ms apart. Read until the first events arrived.
      const long: GenerateStreamResponse[] = [];
      let firstEvents!: () => void;
      const gotFirstEvents = new Promise<void>((resolve) => (firstEvents = resolve));
      const longDone = (async () => {
        for await (const res of client.generateStream(chat("fake-long-stream", "go"))) {
          long.push(res);
          if (long.length === 3) firstEvents();
        }
      })().then(
        () => undefined,
        (err: unknown) => ConnectError.from(err),
      );
      await gotFirstEvents;

      // Short stream, in flight at SIGTERM: hoosh has forwarded it and the fake answers 1 s later.
      const short: GenerateStreamResponse[] = [];
      const shortDone = (async () => {
        for await (const res of client.generateStream(chat("fake-slow-first-byte", "short one"))) short.push(res);
      })();
      await fake.waitForEvent((e) => e.type === "request" && e.model === "fake-slow-first-byte", 3_000);

      const termAt = performance.now();
      process.kill(server.pid, "SIGTERM");

      await shortDone; // completes normally
      const shortDoneAt = performance.now();
      const shortEnd = short.at(-1)?.event;
      expect(short.map((r) => r.event.case)).toEqual(["start", "text", "text", "text", "end"]);
      expect(shortEnd?.case === "end" && shortEnd.value.finishReason).toBe(FinishReason.STOP);
      expect(short.flatMap((r) => (r.event.case === "text" ? [r.event.value.text] : [])).join("")).toBe("echo: short one");

      const exit = await server.exited;
      const exitMs = exit.at - termAt;
      console.log(`SIGTERM → exit ${exitMs.toFixed(0)} ms (grace ${GRACE_MS} ms); long stream got ${long.length} events`);
      expect(exit).toMatchObject({ code: 0, signal: null });
      expect(shortDoneAt).toBeLessThan(exit.at);
      expect(exitMs).toBeLessThan(GRACE_MS + 2_000);
      // The long stream was still running when the grace period ran out: it was cut, not finished.
      expect(exitMs).toBeGreaterThan(GRACE_MS - 200);
      const longError = await longDone;
      expect(longError).toBeInstanceOf(ConnectError);
      console.log(`the cut long stream ended with ${Code[longError!.code]}: ${longError!.rawMessage}`);
      // Ended with a status that tells clients to retry elsewhere, not a bare stream reset.
      expect(Code[longError!.code]).toBe("Unavailable");
      expect(longError!.rawMessage).toContain("shutting down");
      expect(long.some((r) => r.event.case === "end")).toBe(false);
      expect(long.length).toBeGreaterThan(3);

      const log = server.stdout();
      expect(log).toContain('"msg":"draining"');
      expect(log).toContain('"signal":"SIGTERM"');
      expect(log).toContain('"msg":"stopped"');
      // The upstream side of the cut stream was closed too.
      await fake.waitForEvent((e) => e.type === "client-closed" && e.model === "fake-long-stream", 3_000);
    } finally {
      sessions.abort();
      await server.stop("SIGKILL");
    }
  }, 30_000);
});
