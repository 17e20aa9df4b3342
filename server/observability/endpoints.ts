// HTTP endpoints outside the RPC/REST edges: GET <metrics_path> (Prometheus
// text) and GET /hoosh/admin/audit/verify (the audit chain's state). Both take
// an optional guard (the auth module's requireScope(headers, "admin")) that
// throws a ConnectError to refuse; /metrics uses it only when
// metrics_require_key = true, the audit endpoint always.
import { Code, ConnectError } from "@connectrpc/connect";
import type { RestHandler } from "../rest/handler.js";
import type { AuditLog } from "./audit-log.js";
import type { Metrics } from "./metrics.js";

export type HeaderGuard = (headers: Record<string, string | string[] | undefined>) => unknown;

const STATUS: Partial<Record<Code, number>> = { [Code.Unauthenticated]: 401, [Code.PermissionDenied]: 403 };

function pathOf(url: string | undefined): string {
  const u = url ?? "/";
  const q = u.indexOf("?");
  return q < 0 ? u : u.slice(0, q);
}

function json(res: Parameters<RestHandler>[1], status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** Runs the guard; answers 401/403 and returns false when it refuses. */
function allowed(guard: HeaderGuard | undefined, req: Parameters<RestHandler>[0], res: Parameters<RestHandler>[1]): boolean {
  try {
    guard?.(req.headers);
    return true;
  } catch (err) {
    const e = ConnectError.from(err);
    json(res, STATUS[e.code] ?? 403, { error: { message: e.rawMessage, code: Code[e.code] } });
    return false;
  }
}

/**
 * GET <path>: this process's metrics, or (text given: a worker of `serve --workers N`) what
 * `text` returns, the metrics of every worker merged by the primary.
 */
export function metricsEndpoint(metrics: Metrics, path: string, guard?: HeaderGuard, text: () => Promise<string> = () => metrics.text()): RestHandler {
  return async (req, res) => {
    if (pathOf(req.url) !== path) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      json(res, 405, { error: { message: `${req.method} not allowed on ${path}; use GET` } });
      return true;
    }
    if (!allowed(guard, req, res)) return true;
    const body = await text();
    res.writeHead(200, { "content-type": metrics.registry.contentType });
    if (req.method === "HEAD") res.end();
    else res.end(body);
    return true;
  };
}

export const AUDIT_VERIFY_PATH = "/hoosh/admin/audit/verify";

export function auditVerifyEndpoint(audit: AuditLog, guard?: HeaderGuard): RestHandler {
  return async (req, res) => {
    if (pathOf(req.url) !== AUDIT_VERIFY_PATH) return false;
    if (req.method !== "GET") {
      json(res, 405, { error: { message: `${req.method} not allowed on ${AUDIT_VERIFY_PATH}; use GET` } });
      return true;
    }
    if (!allowed(guard, req, res)) return true;
    const result = await audit.verify();
    json(res, result.ok ? 200 : 409, { ...result, persisted: audit.path !== undefined });
    return true;
  };
}
