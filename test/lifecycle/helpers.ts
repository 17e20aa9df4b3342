// Shared pieces of the lifecycle tests: a real `hoosh serve` (spawnServe) in
// front of the fake OpenAI upstream, config files in a temp dir, gRPC clients.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import type { DescService } from "@bufbuild/protobuf";
import { Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/spawn.js";
import { cleanEnv, spawnServe, type ServeProcess } from "../harness/cli.js";

export class Env {
  dir = "";
  fake!: FakeOpenAI;
  private n = 0;
  private readonly sessions: Http2SessionManager[] = [];
  private readonly servers: ServeProcess[] = [];

  async start(): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), "hoosh-lifecycle-"));
    this.fake = await startFakeOpenAI();
  }

  async stop(): Promise<void> {
    for (const s of this.sessions) s.abort();
    await Promise.all(this.servers.map((s) => s.stop("SIGKILL")));
    await this.fake?.stop();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }

  async write(toml: string, path = join(this.dir, `config-${++this.n}.toml`)): Promise<string> {
    await writeFile(path, toml);
    return path;
  }

  /** `hoosh serve` on this config; `env` adds variables to its (otherwise clean) environment. */
  async serve(configPath: string, env: Record<string, string> = {}): Promise<ServeProcess> {
    const server = await spawnServe(["--config", configPath, "--port", "0"], cleanEnv(env));
    this.servers.push(server);
    return server;
  }

  client<S extends DescService>(service: S, server: ServeProcess, headers: Record<string, string> = {}): Client<S> {
    const sessionManager = new Http2SessionManager(server.url);
    this.sessions.push(sessionManager);
    return createClient(service, createGrpcTransport({ baseUrl: server.url, sessionManager, interceptors: [(next) => (req) => {
      for (const [k, v] of Object.entries(headers)) req.header.set(k, v);
      return next(req);
    }] }));
  }

  /** A provider table pointing at the fake upstream. */
  provider(name: string, models: string, extra = ""): string {
    return `
[[providers]]
name = "${name}"
type = "openai"
base_url = "${this.fake.baseUrl}"
models = [${models}]
breaker = { failures = 1000 }
${extra}
`;
  }
}

export const SERVER = `
[server]
bind = "127.0.0.1"
shutdown_grace_ms = 5000
`;

/** 20 chunks 100 ms apart: a 2 s stream. */
export const SLOW_STREAM = `headers = { "x-fake-chunk-delay-ms" = "100", "x-fake-chunks" = "20" }`;

export function chat(model: string, text: string) {
  return { model, messages: [{ role: Role.USER, content: [{ part: { case: "text" as const, value: text } }] }] };
}

/** Polls until the server's stdout has `nth` JSON lines with this msg; returns the nth. */
export async function waitForLog(server: ServeProcess, msg: string, nth = 1, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lines = server.stdout().split("\n").filter((l) => l.includes(`"msg":${JSON.stringify(msg)}`));
    if (lines.length >= nth) return lines[nth - 1]!;
    if (Date.now() > deadline) throw new Error(`no log line #${nth} ${msg} within ${timeoutMs} ms\n--- stdout ---\n${server.stdout()}\n--- stderr ---\n${server.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Counts lines with this msg. */
export function countLogs(server: ServeProcess, msg: string): number {
  return server.stdout().split("\n").filter((l) => l.includes(`"msg":${JSON.stringify(msg)}`)).length;
}
