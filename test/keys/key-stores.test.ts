// The key store contract on memory, SQLite (temp files) and a real redis-server.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Redis } from "ioredis";
import { afterAll, beforeAll } from "vitest";
import { MemoryKeyStore } from "../../server/store/memory/key-store.js";
import { createRedisClient } from "../../server/store/redis/connection.js";
import { RedisKeyStore } from "../../server/store/redis/key-store.js";
import { SqliteKeyStore } from "../../server/store/sqlite/key-store.js";
import { startRedis, type RedisServer } from "../harness/redis.js";
import { describeKeyStoreContract } from "./key-store-contract.js";

let dir: string;
let server: RedisServer;
let client: Redis;
let n = 0;
const opened: SqliteKeyStore[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hoosh-keystore-"));
  server = await startRedis();
  client = createRedisClient(server.url);
  await client.connect();
});

afterAll(async () => {
  for (const s of opened) s.close();
  await client?.quit();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describeKeyStoreContract("memory", () => new MemoryKeyStore());
describeKeyStoreContract("sqlite", () => {
  const s = SqliteKeyStore.open(join(dir, `keys${++n}.db`));
  opened.push(s);
  return s;
});
describeKeyStoreContract("redis", () => new RedisKeyStore(client, `ks${++n}:`));
