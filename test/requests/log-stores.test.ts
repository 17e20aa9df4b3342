// The request log store contract on memory, SQLite (a temp file) and a real redis-server.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Redis } from "ioredis";
import { afterAll, beforeAll } from "vitest";
import { MemoryRequestLog } from "../../server/store/memory/request-log.js";
import { createRedisClient } from "../../server/store/redis/connection.js";
import { RedisRequestLog } from "../../server/store/redis/request-log.js";
import { SqliteRequestLog } from "../../server/store/sqlite/request-log.js";
import { startRedis, type RedisServer } from "../harness/redis.js";
import { describeRequestLogStoreContract } from "./log-store-contract.js";

let dir: string;
let server: RedisServer;
let client: Redis;
let n = 0;
const opened: SqliteRequestLog[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hoosh-reqlog-"));
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

describeRequestLogStoreContract("memory", () => new MemoryRequestLog());
describeRequestLogStoreContract("sqlite", () => {
  const s = SqliteRequestLog.open(join(dir, `log${++n}.db`));
  opened.push(s);
  return s;
});
describeRequestLogStoreContract("redis", () => new RedisRequestLog(client, `rl${++n}:`));
