/**
 * The request log in Redis, shared by the replicas (request-scripts.ts has the layout): append()
 * is one script per batch, list() one script per page on the zset of the most selective filter
 * given (bounded: a page looks at most at MAX_SCAN members, then tells where to go on), prune()
 * one script per batch.
 */
import type { Redis } from "ioredis";

import type { RequestCursor, RequestLogStore, RequestPage, RequestQuery, RequestRecord, StoredRequest } from "../../core/requests/record.js";
import * as lua from "./request-scripts.js";
import { DEFAULT_REPLY_TIMEOUT_MS, LuaScript } from "./scripts.js";

const SCRIPTS = {
  append: new LuaScript("requests-append", lua.APPEND),
  list: new LuaScript("requests-list", lua.LIST),
  prune: new LuaScript("requests-prune", lua.PRUNE),
} as const;

const MAX_SCAN = 20_000;
const PRUNE_BATCH = 2_000;

/** The zset a page reads: the most selective filter's, else every record's. */
function indexOf(q: RequestQuery): string {
  if (q.keyId !== undefined) return `req:k:${q.keyId}`;
  if (q.team !== undefined) return `req:t:${q.team}`;
  if (q.status !== undefined && q.status !== "OK") return "req:err";
  if (q.provider !== undefined) return `req:p:${q.provider}`;
  if (q.model !== undefined) return `req:m:${q.model}`;
  return "req:all";
}

export class RedisRequestLog implements RequestLogStore {
  constructor(
    private readonly client: Redis,
    private readonly prefix: string,
    private readonly timeoutMs: number = DEFAULT_REPLY_TIMEOUT_MS,
  ) {}

  async append(records: readonly RequestRecord[]): Promise<void> {
    if (records.length > 0) await this.#run(SCRIPTS.append, ...records.map((r) => JSON.stringify(r)));
  }

  async list(q: RequestQuery): Promise<RequestPage> {
    // The cursor's time bounds the range from above (inclusive: members of that ms below its seq follow).
    const endMax = q.end === undefined ? Infinity : q.end - 1;
    const max = Math.min(endMax, q.after?.time ?? Infinity);
    const filter = { keyId: q.keyId, team: q.team, model: q.model, provider: q.provider, status: q.status };
    const reply = (await this.#run(
      SCRIPTS.list,
      indexOf(q),
      max === Infinity ? "+inf" : String(max),
      q.start === undefined ? "-inf" : String(q.start),
      q.after && q.after.time <= endMax ? member(q.after.seq) : "",
      String(q.limit),
      JSON.stringify(filter),
      String(MAX_SCAN),
    )) as string[];
    const records: StoredRequest[] = [];
    let stoppedAt: RequestCursor | undefined;
    for (let i = 0; i < reply.length; i += 3) {
      if (reply[i] === "") stoppedAt = { seq: Number(reply[i + 1]), time: Number(reply[i + 2]) };
      else records.push({ ...(JSON.parse(reply[i + 2]!) as RequestRecord), seq: Number(reply[i]) });
    }
    const page = records.slice(0, q.limit);
    const last = page[page.length - 1];
    const next = records.length > q.limit && last ? { time: last.time, seq: last.seq } : stoppedAt;
    return { records: page, next };
  }

  async prune(before: number, maxRows: number): Promise<number> {
    let dropped = 0;
    for (;;) {
      const n = Number(await this.#run(SCRIPTS.prune, String(before), String(maxRows), String(PRUNE_BATCH)));
      dropped += n;
      if (n < PRUNE_BATCH) return dropped;
    }
  }

  #run(script: LuaScript, ...args: string[]): Promise<unknown> {
    return script.run(this.client, [this.prefix, ...args], this.timeoutMs);
  }
}

function member(seq: number): string {
  return String(seq).padStart(16, "0");
}
