// The request log of a config ([log]): kept in the [store], written off the request path, pruned
// to its retention, optionally exported as OTLP logs; none when [log] enabled = false.
import type { Config } from "../config/index.js";
import { RequestLog } from "../core/requests/log.js";
import { Redactor } from "../core/requests/redact.js";
import type { Logger } from "../observability/log.js";
import { OtlpLogExporter } from "../observability/otlp-logs.js";
import type { OpenedStore } from "../store/open-budget-store.js";
import type { Cleanup } from "./cleanup.js";

const DAY_MS = 86_400_000;

export function buildRequestLog(config: Config, opened: OpenedStore, logger: Logger, cleanup: Cleanup): RequestLog | undefined {
  const c = config.log;
  if (!c.enabled) return undefined;
  const log = (level: "warn" | "error", msg: string, fields?: Record<string, unknown>) => logger.log(level, msg, fields);
  const requests = new RequestLog({
    store: opened.requests,
    retentionMs: c.retention_days * DAY_MS,
    maxRows: c.max_rows,
    payloads: c.payloads ? new Redactor(c.redact, c.max_payload_chars) : undefined,
    exporters: c.otlp_endpoint ? [new OtlpLogExporter(c.otlp_endpoint, log).export] : [],
    log,
  });
  requests.start();
  cleanup.add(() => requests.close());
  return requests;
}
