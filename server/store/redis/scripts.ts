/**
 * Running the budget's Lua scripts: EVALSHA by the script's SHA-1 and, when
 * Redis answers NOSCRIPT (restarted, SCRIPT FLUSH, a failover), EVAL with the
 * source, which also caches it again. Every failure becomes a ConnectError
 * (errors.ts).
 */
import { createHash } from "node:crypto";

import type { Redis } from "ioredis";

import { createRedisClient, type RedisConnectionOptions } from "./connection.js";
import { withReplyDeadline } from "./deadline.js";
import { fromRedisError, isNoScript } from "./errors.js";

/** Default bound on a script's reply (ms). */
export const DEFAULT_REPLY_TIMEOUT_MS = 1000;

export class LuaScript {
  readonly sha: string;

  constructor(
    readonly name: string,
    readonly source: string,
  ) {
    this.sha = createHash("sha1").update(source).digest("hex");
  }

  /** Runs the script; no reply within timeoutMs of Redis time (deadline.ts) is Unavailable. */
  async run(client: Redis, args: readonly string[], timeoutMs = DEFAULT_REPLY_TIMEOUT_MS): Promise<unknown> {
    try {
      return await withReplyDeadline(client.evalsha(this.sha, 0, ...args), timeoutMs);
    } catch (err) {
      if (!isNoScript(err)) throw fromRedisError(err);
    }
    try {
      return await withReplyDeadline(client.eval(this.source, 0, ...args), timeoutMs);
    } catch (err) {
      throw fromRedisError(err);
    }
  }

  /** SCRIPT LOAD ahead of the first call (optional: run() falls back to EVAL). */
  async load(client: Redis): Promise<void> {
    try {
      const sha = await client.script("LOAD", this.source);
      if (sha !== this.sha) throw new Error(`budget script ${this.name}: redis hashed it as ${String(sha)}, expected ${this.sha}`);
    } catch (err) {
      throw fromRedisError(err);
    }
  }
}

/** A client connected to `url` with `scripts` loaded; a failure disconnects it and is a ConnectError. */
export async function connectWithScripts(url: string, options: RedisConnectionOptions, scripts: Iterable<LuaScript>): Promise<Redis> {
  const client = createRedisClient(url, options);
  try {
    await client.connect();
    for (const s of scripts) await s.load(client);
  } catch (err) {
    client.disconnect();
    throw fromRedisError(err);
  }
  return client;
}
