// Micro benchmark: response-cache key for a 5-message request, a hit and a
// miss, beside the Rust original's figures (cache key 5 messages 131 ns,
// hit 62 ns, miss 25 ns). Also the alternative key path the design weighed:
// toBinary of a projected GenerateRequest + sha256 (not canonical for Struct
// key order, see server/core/cache/key.ts).
// Shared tier (Redis, [store] kind = "redis"): a hit found there after a local
// miss, through a redis-server of its own on a loopback port (REDIS_URL to use
// another); sequential, one request in flight, so it is one round trip each.
// Median over batches of BATCH calls each (ASYNC_BATCH for Redis), in ns per call.
// Run: node --import tsx bench/micro/cache.ts [BATCHES]
import { createHash, hash } from "node:crypto";

import { create, toBinary } from "@bufbuild/protobuf";

import { Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { GenerateRequestSchema, GenerateResponseSchema } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { cacheKey } from "../../server/core/cache/key.js";
import { ResponseCache } from "../../server/core/cache/response-cache.js";
import { SemanticCache, semanticQuestion } from "../../server/core/cache/semantic.js";
import { decodeUnary, encodeUnary } from "../../server/core/cache/codec.js";
import { unaryEntry } from "../../server/core/cache/entry.js";
import { RedisCacheTier } from "../../server/store/redis/cache-tier.js";
import { createRedisClient } from "../../server/store/redis/connection.js";
import { startRedis } from "../../test/harness/redis.js";

const BATCHES = Number(process.argv[2] ?? 200);
const BATCH = 1000;
const ASYNC_BATCH = 100;

const text = (role: Role, value: string) => ({ role, content: [{ part: { case: "text" as const, value } }] });
const req = create(GenerateRequestSchema, {
  model: "gpt-4o-mini",
  messages: [
    text(Role.SYSTEM, "You are a helpful assistant. Answer briefly and precisely."),
    text(Role.USER, "What is the capital of France?"),
    text(Role.ASSISTANT, "Paris."),
    text(Role.USER, "And of Germany? Please also give its population."),
    text(Role.ASSISTANT, "Berlin, about 3.7 million people."),
  ],
  sampling: { temperature: 0, maxTokens: 256 },
  metadata: { team: "bench" },
});

/** The rejected alternative: binary of the request with the non-output fields blanked (a spread, no create()). */
function binaryKey(r: typeof req): string {
  const projected = { ...r, routing: undefined, budgetPool: "", cache: undefined, metadata: {}, user: "" };
  return createHash("sha256").update(toBinary(GenerateRequestSchema, projected)).digest("base64url");
}

const cache = new ResponseCache({ mode: "deterministic", defaultTtlSeconds: 3600, maxTtlSeconds: 3600, maxBytes: 64 << 20 });
const key = cacheKey(req);
const answer = create(GenerateResponseSchema, {
  id: "x", model: "gpt-4o-mini",
  message: { role: Role.ASSISTANT, content: [{ part: { case: "text", value: "Berlin." } }] },
  usage: { inputTokens: 40, outputTokens: 2, costUsdMicros: 12n, provider: "openai" },
});
cache.storeUnary(key, answer, 3_600_000);
for (let i = 0; i < 1000; i++) cache.storeUnary(`filler-${i}`, create(GenerateResponseSchema, { id: String(i) }), 3_600_000);
const absent = cacheKey({ ...req, model: "absent" });

// Roughly the canonical text key.ts hashes for this request (same length and shape).
const CANON = "v1" + JSON.stringify(req.model) + req.messages.map((m) => "m" + m.role + '""""c1t' + JSON.stringify((m.content[0]!.part as { value: string }).value) + "k0").join("") + "T0C-P-S0,-,256,-,-,-,0R-";
const oneShot = (t: string) => hash("sha256", t, "base64url");

let sink: unknown;
/** [median, fastest batch] ns per call; the fastest batch is the figure least bent by a busy machine. */
function median(fn: () => unknown): [number, number] {
  for (let i = 0; i < BATCH * 20; i++) sink = fn(); // warm-up
  const per: number[] = [];
  for (let b = 0; b < BATCHES; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < BATCH; i++) sink = fn();
    per.push(Number(process.hrtime.bigint() - t0) / BATCH);
  }
  per.sort((x, y) => x - y);
  return [per[Math.floor(per.length / 2)] as number, per[0] as number];
}

const rows: Array<[string, [number, number], number | undefined]> = [
  ["cache key, 5 messages (canonical text + sha256)", median(() => cacheKey(req)), 131],
  ["cache key, 5 messages (alt: toBinary + sha256)", median(() => binaryKey(req)), 131],
  ["  of which sha256 one-shot of the same text", median(() => createHash("sha256").update(CANON).digest("base64url")), undefined],
  ["  (crypto.hash one-shot, used when no image/audio bytes)", median(() => oneShot(CANON)), undefined],
  ["hit (lookupUnary, marked copy)", median(() => cache.lookupUnary(key)), 62],
  ["miss (lookupUnary)", median(() => cache.lookupUnary(absent)), 25],
  ["plan (policy + key)", median(() => cache.plan(req)), undefined],
];

// Semantic cache: one bucket holding SEMANTIC_ENTRIES questions of 1536 dimensions (OpenAI
// text-embedding-3-small), a lookup scans them all; the embedding call itself is not included.
const SEMANTIC_ENTRIES = 1000;
const DIMS = 1536;
const semantic = new SemanticCache({ threshold: 0.95, maxEntries: SEMANTIC_ENTRIES });
const randomVector = () => Array.from({ length: DIMS }, () => Math.random() - 0.5);
for (let i = 0; i < SEMANTIC_ENTRIES; i++) semantic.store("bucket", randomVector(), answer, 3_600_000);
const probe = randomVector();
const question = create(GenerateRequestSchema, { ...req, messages: req.messages.slice(0, 4) }); // ends on a user turn
rows.push(
  ["semantic bucket key, 4 messages (key of the request without its last text)", median(() => semanticQuestion(question)), undefined],
  [`semantic lookup, ${SEMANTIC_ENTRIES} questions x ${DIMS} dims (a miss: full scan)`, median(() => semantic.lookup("bucket", probe)), undefined],
);


/** median() for async calls, ASYNC_BATCH sequential awaits per batch. */
async function medianAsync(fn: () => Promise<unknown>): Promise<[number, number]> {
  for (let i = 0; i < ASYNC_BATCH * 20; i++) sink = await fn(); // warm-up (a fresh redis-server too)
  const per: number[] = [];
  for (let b = 0; b < BATCHES; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < ASYNC_BATCH; i++) sink = await fn();
    per.push(Number(process.hrtime.bigint() - t0) / ASYNC_BATCH);
  }
  per.sort((x, y) => x - y);
  return [per[Math.floor(per.length / 2)] as number, per[0] as number];
}

// Shared tier: replica A stored the answer in Redis; replica B has a 0-byte LRU, so every lookup misses locally.
const ownRedis = process.env.REDIS_URL ? undefined : await startRedis();
const client = createRedisClient(process.env.REDIS_URL ?? (ownRedis?.url as string));
try {
  await client.connect();
  const tier = new RedisCacheTier(client, { prefix: `bench${process.pid}:`, timeoutMs: 1000 });
  const opts = { mode: "deterministic" as const, defaultTtlSeconds: 3600, maxTtlSeconds: 3600, shared: tier };
  new ResponseCache({ ...opts, maxBytes: 64 << 20 }).storeUnary(key, answer, 3_600_000);
  const replicaB = new ResponseCache({ ...opts, maxBytes: 0 });
  const plan = replicaB.plan(req)!;
  const never = async (): Promise<never> => { throw new Error("upstream called: the shared entry is missing"); };
  const signal = new AbortController().signal;
  await new Promise((r) => setTimeout(r, 50)); // the store is fire-and-forget
  const wire = encodeUnary(unaryEntry(answer));
  // Measured in this order so the first async row does not pay for a cold connection.
  const lookup = await medianAsync(() => tier.lookup("u", key));
  const hit = await medianAsync(() => replicaB.generate(plan, signal, never));
  rows.push(
    ["shared-tier hit on a local miss (generate: Redis GET+PTTL + decode)", hit, undefined],
    ["  of which Redis GET+PTTL, one round trip (RedisCacheTier.lookup)", lookup, undefined],
    [`  of which decode, ${wire.byteLength} bytes (decodeUnary)`, median(() => decodeUnary(wire)), undefined],
  );
} finally {
  client.disconnect();
  await ownRedis?.stop();
}
void sink;

console.log(`Node ${process.version}, ${BATCHES} batches x ${BATCH} calls (shared-tier rows: x ${ASYNC_BATCH}, loopback redis), median ns per call\n`);
console.log("| operation | hoosh TS median (ns) | fastest batch (ns) | Rust original (ns) | TS median / Rust |");
console.log("|---|---:|---:|---:|---:|");
for (const [name, [ns, min], rust] of rows) {
  console.log(`| ${name} | ${ns.toFixed(0)} | ${min.toFixed(0)} | ${rust ?? "-"} | ${rust ? (ns / rust).toFixed(1) + "x" : "-"} |`);
}
