// The tenancy tests' hoosh: two tenants (team-a, team-b) on one real `hoosh serve` in front of
// one fake OpenAI upstream, and one way to send a Generate-like request over each edge.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { InferenceService } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { afterAll, beforeAll } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/spawn.js";
import { sha256, serveWith, type Served } from "./helpers.js";

export const TENANT_KEYS = {
  limited: "hk_tenant_limited_0123456789abcdef",
  limited2: "hk_tenant_limited2_0123456789abcdef",
  other: "hk_tenant_other_0123456789abcdef",
  reader: "hk_tenant_reader_0123456789abcdef",
  writer: "hk_tenant_writer_0123456789abcdef",
  writerB: "hk_tenant_writer_b_0123456789abcdef",
  admin: "hk_tenant_admin_0123456789abcdef",
} as const;
export type TenantKey = keyof typeof TENANT_KEYS;

/** Which keys may use which pool (their default pool; admin every pool). */
export const POOL_OWNERS: Record<string, readonly string[]> = { "team-a": ["limited", "limited2", "writer"], "team-b": ["other", "writer-b"] };

export function tenancyConfig(fake: FakeOpenAI, auditPath: string): string {
  const k = (id: string, secret: string, body: string) => `\n[[keys]]\nid = "${id}"\nhash = "${sha256(secret)}"\n${body}\n`;
  const provider = (name: string, models: string, extra = "") =>
    `\n[[providers]]\nname = "${name}"\ntype = "openai"\nbase_url = "${fake.baseUrl}"\nmodels = [${models}]\nbreaker = { failures = 100000 }\ntimeouts = { connect_ms = 2000, first_byte_ms = 5000, idle_ms = 5000 }\n${extra}\n`;
  return `
[server]
bind = "127.0.0.1"
shutdown_grace_ms = 1000

[router]
backoff_ms = 1
backoff_max_ms = 1

[observability]
audit_path = "${auditPath}"
log_level = "warn"

[cache]
semantic_model = "fake-words-embedding"
semantic_threshold = 0.9

[aliases]
cheap = "mock-cheap"
cheap-or-premium = ["mock-cheap", "premium-big"]

[[budgets]]
name = "team-a"
capacity = 100000000

[[budgets]]
name = "team-b"
capacity = 100000000
${provider("cheap", `"mock-cheap", "mock-cheap*"`)}
${provider("premium", `"premium-big", "premium-*"`)}
${provider("down", `"mock-down"`, `headers = { "x-fake-force-status" = "503" }`)}
${provider("embed", `"fake-words-embedding"`)}
${k("limited", TENANT_KEYS.limited, `scopes = ["inference"]\nmodels = ["mock-*", "cheap", "cheap-or-premium"]\ndefault_pool = "team-a"`)}
${k("limited2", TENANT_KEYS.limited2, `scopes = ["inference"]\ndefault_pool = "team-a"`)}
${k("other", TENANT_KEYS.other, `scopes = ["inference"]\ndefault_pool = "team-b"`)}
${k("reader", TENANT_KEYS.reader, `scopes = ["budgets:read"]\ndefault_pool = "team-a"`)}
${k("writer", TENANT_KEYS.writer, `scopes = ["inference", "budgets:write"]\nmodels = ["mock-*"]\ndefault_pool = "team-a"`)}
${k("writer-b", TENANT_KEYS.writerB, `scopes = ["budgets:write"]\ndefault_pool = "team-b"`)}
${k("admin", TENANT_KEYS.admin, `scopes = ["admin"]`)}
`;
}

export interface Tenancy {
  served: Served;
  url: string;
  auditPath: string;
  transports: Record<"grpc" | "connect" | "grpcWeb", Transport>;
  stop(): Promise<void>;
}

export async function startTenancy(fake: FakeOpenAI): Promise<Tenancy> {
  const dir = await mkdtemp(join(tmpdir(), "hoosh-tenancy-"));
  const auditPath = join(dir, "audit.jsonl");
  const served = await serveWith(tenancyConfig(fake, auditPath));
  const url = served.server.url;
  const sessions = new Http2SessionManager(url);
  return {
    served,
    url,
    auditPath,
    transports: {
      grpc: createGrpcTransport({ baseUrl: url, sessionManager: sessions }),
      connect: createConnectTransport({ baseUrl: url, httpVersion: "1.1" }),
      grpcWeb: createGrpcWebTransport({ baseUrl: url, httpVersion: "1.1" }),
    },
    async stop() {
      sessions.abort();
      await served.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** This file's fake upstream and tenancy hoosh, started before its tests and stopped after them. */
export function useTenancy(): { fake: FakeOpenAI; t: Tenancy } {
  const world = {} as { fake: FakeOpenAI; t: Tenancy };
  beforeAll(async () => {
    world.fake = await startFakeOpenAI();
    world.t = await startTenancy(world.fake);
  }, 60_000);
  afterAll(async () => {
    await world.t?.stop();
    await world.fake?.stop();
  });
  return world;
}

export const EDGES = ["grpc", "connect", "grpcWeb", "rest", "anthropic", "transcoding"] as const;
export type Edge = (typeof EDGES)[number];

/** One request as a tenant writes it; each edge expresses what it can. */
export interface Ask {
  key?: TenantKey;
  model: string;
  text?: string;
  fallbacks?: string[];
  /** RPC and transcoding: budget_pool; OpenAI REST: metadata.budget_pool. */
  bodyPool?: string;
  headerPool?: string;
  temperature?: number;
  headers?: Record<string, string>;
}

export interface Answer {
  /** "ok", or the gRPC code the edge answered with (HTTP statuses mapped back). */
  outcome: "ok" | Code;
  message: string;
  model?: string;
  text?: string;
  pool?: string;
  cacheHit?: boolean;
  requestId?: string | null;
}

/** Edges that can carry routing.fallback_models / a budget pool in the body. */
export const canFallback = (edge: Edge) => edge !== "rest" && edge !== "anthropic";
export const canBodyPool = (edge: Edge) => edge !== "anthropic";

const STATUS_CODE: Record<number, Code> = { 400: Code.InvalidArgument, 401: Code.Unauthenticated, 403: Code.PermissionDenied, 404: Code.NotFound, 429: Code.ResourceExhausted, 503: Code.Unavailable };

export async function ask(t: Tenancy, edge: Edge, a: Ask): Promise<Answer> {
  const text = a.text ?? "hello tenant";
  const headers: Record<string, string> = { ...a.headers };
  if (a.key) headers.authorization = `Bearer ${TENANT_KEYS[a.key]}`;
  if (a.headerPool) headers["x-hoosh-budget-pool"] = a.headerPool;
  if (edge === "grpc" || edge === "connect" || edge === "grpcWeb") {
    const client = createClient(InferenceService, t.transports[edge]);
    let requestId: string | null = null;
    try {
      const res = await client.generate(
        {
          model: a.model,
          messages: [{ role: Role.USER, content: [{ part: { case: "text", value: text } }] }],
          routing: { fallbackModels: a.fallbacks ?? [] },
          budgetPool: a.bodyPool ?? "",
          sampling: a.temperature === undefined ? undefined : { temperature: a.temperature },
        },
        { headers, onHeader: (h) => (requestId = h.get("x-request-id")) },
      );
      const part = res.message?.content[0]?.part;
      return { outcome: "ok", message: "", model: res.model, text: part?.case === "text" ? part.value : "", pool: res.usage?.budgetPool, cacheHit: res.usage?.cacheHit, requestId };
    } catch (err) {
      const e = ConnectError.from(err);
      return { outcome: e.code, message: e.rawMessage, requestId };
    }
  }
  let path: string;
  let body: Record<string, unknown>;
  if (edge === "rest") {
    path = "/v1/chat/completions";
    body = { model: a.model, messages: [{ role: "user", content: text }], ...(a.bodyPool ? { metadata: { budget_pool: a.bodyPool } } : {}), ...(a.temperature === undefined ? {} : { temperature: a.temperature }) };
  } else if (edge === "anthropic") {
    path = "/v1/messages";
    body = { model: a.model, max_tokens: 64, messages: [{ role: "user", content: text }], ...(a.temperature === undefined ? {} : { temperature: a.temperature }) };
  } else {
    path = "/hoosh/v1/generate";
    body = {
      model: a.model,
      messages: [{ role: "ROLE_USER", content: [{ text }] }],
      routing: { fallbackModels: a.fallbacks ?? [] },
      budgetPool: a.bodyPool ?? "",
      ...(a.temperature === undefined ? {} : { sampling: { temperature: a.temperature } }),
    };
  }
  const res = await fetch(t.url + path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  const json = (await res.json()) as Record<string, any>;
  const requestId = res.headers.get("x-request-id");
  if (res.status !== 200) {
    const message = String(json.error?.message ?? json.message ?? JSON.stringify(json));
    return { outcome: STATUS_CODE[res.status] ?? Code.Unknown, message, requestId };
  }
  const cacheHit = res.headers.get("x-hoosh-cache") === "hit";
  if (edge === "rest") return { outcome: "ok", message: "", model: json.model, text: json.choices?.[0]?.message?.content, cacheHit, requestId };
  if (edge === "anthropic") return { outcome: "ok", message: "", model: json.model, text: json.content?.[0]?.text, cacheHit, requestId };
  const part = json.message?.content?.[0];
  return { outcome: "ok", message: "", model: json.model, text: part?.text, pool: json.usage?.budgetPool, cacheHit: json.usage?.cacheHit === true, requestId };
}

/** Runs `work` over `items`, at most `width` at a time. */
export async function pooled<T, R>(items: readonly T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i]!);
      }
    }),
  );
  return out;
}
