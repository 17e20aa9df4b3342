// Every tool call leaves one record, written to the access log and appended to
// the audit chain. The shape is flat JSON on purpose: the request log store
// (issue #19) can take it as is. Arguments appear only with [observability]
// log_prompts = true, and then redacted (redact.ts).
import type { AuditLog } from "../observability/audit-log.js";
import type { Logger } from "../observability/log.js";

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

/** Writes each record to the access log and the audit chain (never throws, never waits). */
export function toolCallSink(logger: Logger, audit: AuditLog): ToolCallSink {
  return {
    record(r) {
      logger.log(r.outcome === "ok" || r.outcome === "tool_error" ? "info" : "warn", "tool call", { ...r });
      const { kind: _kind, started_at: _started, ...details } = r;
      void audit.append(r.key ? `key:${r.key}` : "anonymous", "tool.call", details);
    },
  };
}
