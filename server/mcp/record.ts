// Every tool call leaves one record, written to the access log and appended to
// the audit chain. The shape is flat JSON on purpose: the request log store
// (issue #19) can take it as is. Arguments appear only with [observability]
// log_prompts = true, and then redacted (redact.ts).
import type { AuditLog } from "../observability/audit-log.js";
import type { Logger } from "../observability/log.js";
import type { RequestRecord } from "../core/requests/record.js";
import type { RequestSink } from "../core/requests/log.js";

export type ToolCallOutcome = "ok" | "tool_error" | "error" | "cancelled" | "timeout";

export interface ToolCallRecord {
  kind: "tool_call";
  /** When the call started (ISO 8601). */
  started_at: string;
  request_id: string;
  /** Where it came in: gRPC/Connect ("rpc"), REST transcoding ("rest"), hoosh's /mcp ("mcp"). */
  edge: string;
  /** The API key's id (none when auth is off). */
  key?: string;
  server: string;
  /** The exposed name ("server.tool"). */
  tool: string;
  /** The tool's name on its server. */
  server_tool: string;
  duration_ms: number;
  /** ok; tool_error (the tool answered isError); error, cancelled, timeout (no result). */
  outcome: ToolCallOutcome;
  /** The gRPC code name of a failed call, e.g. "unavailable". */
  code?: string;
  error?: string;
  arguments_bytes: number;
  arguments?: unknown;
}

export interface ToolCallSink {
  record(r: ToolCallRecord): void;
}

/** Writes each record to the access log, the audit chain and the request log (never throws, never waits). */
export function toolCallSink(logger: Logger, audit: AuditLog, requests?: RequestSink): ToolCallSink {
  return {
    record(r) {
      logger.log(r.outcome === "ok" || r.outcome === "tool_error" ? "info" : "warn", "tool call", { ...r });
      const { kind: _kind, started_at: _started, ...details } = r;
      void audit.append(r.key ? `key:${r.key}` : "anonymous", "tool.call", details);
      requests?.write(toolRequestRecord(r, requests));
    },
  };
}

/** A tool call as a request log record: the tool as its model, the MCP server as its provider. */
export function toolRequestRecord(r: ToolCallRecord, sink: RequestSink): RequestRecord {
  const args = sink.payloads && r.arguments !== undefined ? sink.payloads.redact(JSON.stringify(r.arguments)) : undefined;
  return {
    time: Date.parse(r.started_at),
    requestId: r.request_id,
    keyId: r.key,
    edge: r.edge,
    operation: "tool_call",
    model: r.tool,
    provider: r.server || undefined,
    attempts: r.server ? 1 : 0,
    status: r.code ? r.code.toUpperCase() : "OK",
    inputTokens: 0,
    cachedInputTokens: 0,
    outputTokens: 0,
    reasoningTokens: 0,
    costUsdMicros: 0,
    latencyMs: r.duration_ms,
    cacheHit: false,
    error: r.error ?? (r.outcome === "tool_error" ? "the tool reported an error (isError)" : undefined),
    prompt: args,
    stream: false,
  };
}
