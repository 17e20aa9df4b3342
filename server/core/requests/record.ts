/**
 * The request log's record and its store port. One record per request (inference calls on every
 * edge, MCP tool calls), made when the request ends and written off the request path in batches
 * (log.ts); adapters: store/memory, store/sqlite, store/redis (request-log.ts in each).
 */

export interface RequestRecord {
  /** When it started (ms). */
  readonly time: number;
  readonly requestId: string;
  readonly keyId?: string | undefined;
  readonly team?: string | undefined;
  /** grpc | grpc-web | connect | rest | openai | anthropic | mcp */
  readonly edge: string;
  /** chat | embeddings | tool_call */
  readonly operation: string;
  /** Asked for (a tool's exposed name for tool calls). */
  readonly model: string;
  readonly servedModel?: string | undefined;
  readonly provider?: string | undefined;
  readonly attempts: number;
  /** "OK" or the gRPC code name. */
  readonly status: string;
  readonly inputTokens: number;
  readonly cachedInputTokens: number;
  readonly outputTokens: number;
  readonly reasoningTokens: number;
  readonly costUsdMicros: number;
  readonly latencyMs: number;
  /** To the first streamed token; undefined when not streamed. */
  readonly ttftMs?: number | undefined;
  readonly cacheHit: boolean;
  readonly budgetPool?: string | undefined;
  readonly error?: string | undefined;
  /** Only with [log] payloads = true, redacted. */
  readonly prompt?: string | undefined;
  readonly answer?: string | undefined;
  readonly stream: boolean;
}

/** A stored record: `seq` orders records written in the same millisecond. */
export type StoredRequest = RequestRecord & { readonly seq: number };

/** Exact matches; "error" as status matches every failure. Unset fields match all. */
export interface RequestFilter {
  readonly keyId?: string | undefined;
  readonly team?: string | undefined;
  readonly model?: string | undefined;
  readonly provider?: string | undefined;
  readonly status?: string | undefined;
}

/** Where a page ends: the next page holds records strictly older than it. */
export interface RequestCursor {
  readonly time: number;
  readonly seq: number;
}

export interface RequestQuery extends RequestFilter {
  /** ms, inclusive / exclusive. */
  readonly start?: number | undefined;
  readonly end?: number | undefined;
  readonly limit: number;
  readonly after?: RequestCursor | undefined;
}

export interface RequestPage {
  /** Newest first. */
  readonly records: readonly StoredRequest[];
  /** Set when more records may follow. */
  readonly next?: RequestCursor | undefined;
}

export const ERROR_STATUS = "error";

/** True when `r` passes `f` (the stores' queries do the same in SQL or Lua). */
export function matchesFilter(r: RequestRecord, f: RequestFilter): boolean {
  if (f.keyId !== undefined && r.keyId !== f.keyId) return false;
  if (f.team !== undefined && r.team !== f.team) return false;
  if (f.model !== undefined && r.model !== f.model) return false;
  if (f.provider !== undefined && r.provider !== f.provider) return false;
  if (f.status === ERROR_STATUS) return r.status !== "OK";
  return f.status === undefined || r.status === f.status;
}

export interface RequestLogStore {
  /** Appends records in one store step. */
  append(records: readonly RequestRecord[]): Promise<void>;
  /** One page, newest first: one store query. */
  list(query: RequestQuery): Promise<RequestPage>;
  /** Drops records older than `before` (ms), then the oldest beyond `maxRows`; returns how many. */
  prune(before: number, maxRows: number): Promise<number>;
}
