// Micro benchmark: what authenticating a request costs with 10,000 keys made at run time (stored
// keys, kept in memory by the KeyDirectory: no store round trip), next to config keys only:
// Auth.authenticate (sha256 of the presented key + one map lookup) + authorizeRequest (scope, model
// globs, pool), per request; and one directory refresh when nothing changed (what every replica
// does every 200 ms: one version read).
// Run: node --import tsx bench/micro/keys.ts [KEYS]
import { Auth } from "../../server/auth/authorize.js";
import { KeyDirectory } from "../../server/auth/directory.js";
import { hashKey } from "../../server/core/keys/secret.js";
import { MemoryKeyStore } from "../../server/store/memory/key-store.js";
import { measure } from "./measure.js";

const KEYS = Number(process.argv[2] ?? 10_000);
const secret = (i: number) => `hk_bench_${i.toString(36).padStart(8, "0")}_0123456789abcdef`;

const store = new MemoryKeyStore();
await store.createTeam({ name: "bench-team", limits: {}, metadata: {}, createdAt: 0 });
const t0 = performance.now();
for (let i = 0; i < KEYS; i++) {
  await store.createKey({
    id: `k-${i}`,
    name: `key-${i}`,
    team: i % 2 === 0 ? "bench-team" : undefined,
    scopes: ["inference"],
    models: i % 3 === 0 ? ["gpt-4o*", "claude-*"] : [],
    limits: {},
    metadata: {},
    createdAt: 0,
    hash: hashKey(secret(i)),
  });
}
const createMs = performance.now() - t0;
const directory = new KeyDirectory([], store);
const l0 = performance.now();
await directory.start();
const loadMs = performance.now() - l0;
await directory.close();

const stored = new Auth([], { allow_unauthenticated_remote: false, open_health: true, open_reflection: true } as never, { directory });
const config = new Auth(
  [{ id: "cfg", hash: hashKey(secret(0)), scopes: ["inference"], models: ["gpt-4o*", "claude-*"], pools: [], enabled: true, tools: [] } as never],
  { allow_unauthenticated_remote: false, open_health: true, open_reflection: true } as never,
);
const req = { model: "gpt-4o-mini", budgetPool: "", metadata: {} };
let n = 0;
const header = (i: number) => (name: string) => (name === "authorization" ? `Bearer ${secret(i)}` : undefined);
const headers = Array.from({ length: 1024 }, (_, i) => header((i * 7919) % KEYS));
const once = (auth: Auth, get: (name: string) => string | undefined) => {
  const key = auth.authenticate(get);
  auth.authorizeRequest(key, "inference", req);
};

const storedNs = measure(() => once(stored, headers[n++ & 1023]!), 20_000);
const configNs = measure(() => once(config, header(0)), 20_000);
const lookupNs = measure(() => stored.authenticate(headers[n++ & 1023]!), 20_000);
const hashNs = measure(() => hashKey(secret(n++ & 1023)), 20_000);
const r0 = performance.now();
for (let i = 0; i < 1000; i++) await directory.refresh();
const refreshUs = ((performance.now() - r0) / 1000) * 1000;

console.log(`| measure (${KEYS.toLocaleString("en")} stored keys) | value |`);
console.log("|---|---|");
console.log(`| authenticate + authorize a request, stored keys | ${(storedNs / 1000).toFixed(2)} µs |`);
console.log(`| authenticate + authorize a request, 1 config key | ${(configNs / 1000).toFixed(2)} µs |`);
console.log(`| of which authenticate alone, stored keys | ${(lookupNs / 1000).toFixed(2)} µs |`);
console.log(`| of which sha256 of the presented key | ${(hashNs / 1000).toFixed(2)} µs |`);
console.log(`| directory refresh with nothing changed (every 200 ms) | ${refreshUs.toFixed(1)} µs |`);
console.log(`| load ${KEYS.toLocaleString("en")} keys into the directory at start | ${loadMs.toFixed(0)} ms |`);
console.log(`| (setup: create ${KEYS.toLocaleString("en")} keys in the memory store) | ${createMs.toFixed(0)} ms |`);
