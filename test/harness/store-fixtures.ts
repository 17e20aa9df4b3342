// For store contract suites run on every store kind: a temp folder for SQLite files and a real
// redis-server with a connected client, made in beforeAll and removed in afterAll, plus a counter
// for fresh file names and key prefixes.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Redis } from "ioredis";
import { afterAll, beforeAll } from "vitest";
import { createRedisClient } from "../../server/store/redis/connection.js";
import { startRedis, type RedisServer } from "./redis.js";

export interface StoreFixtures {
  /** A fresh name (file name or key prefix) each call. */
  fresh(stem: string): string;
  /** A SQLite file path in the temp folder, closed (by `close`) when the suite ends. */
  sqlite<T extends { close(): void }>(open: (file: string) => T): T;
  readonly redis: Redis;
}

export function storeFixtures(label: string): StoreFixtures {
  let dir = "";
  let server: RedisServer | undefined;
  let client: Redis | undefined;
  let n = 0;
  const opened: { close(): void }[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `hoosh-${label}-`));
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
  return {
    fresh: (stem) => `${stem}${++n}`,
    sqlite(open) {
      const s = open(join(dir, `${label}${++n}.db`));
      opened.push(s);
      return s;
    },
    get redis() {
      if (!client) throw new Error("storeFixtures: redis is only there inside tests (after beforeAll)");
      return client;
    },
  };
}
