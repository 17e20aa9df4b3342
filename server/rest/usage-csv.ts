// GET /hoosh/v1/budget/usage.csv: BudgetService.GetUsageReport as CSV, for spreadsheets. The
// query is GetUsageReport's (group_by, pool, key_id, team, start_time, end_time; group_by also
// as a short name: pool | model | provider | key | team | day), and the call goes through the
// same handlers and interceptors in memory as the JSON route, so the same keys see the same rows.
// One row per group, then "total"; cost in micro-USD and in USD. Errors: google.rpc.Status JSON.
import { createRegistry, fromJson, type JsonObject } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, createRouterTransport, type ConnectRouter, type Interceptor } from "@connectrpc/connect";
import { BudgetService, GetUsageReportRequestSchema, UsageGroupBy, type GetUsageReportRequest, type UsageReportRow } from "../../gen/ts/hoosh/v1/budget_pb.js";
import type { RestHandler } from "./handler.js";
import { discardBody, writeText } from "./http-io.js";
import { writeHttpError } from "./transcode/respond.js";
import { httpError } from "./transcode/status.js";
import { FORWARDED_REQUEST_HEADERS } from "./transcode/call.js";
import { invalidArgument } from "../core/budget/errors.js";

export const USAGE_CSV_PATH = "/hoosh/v1/budget/usage.csv";
const PARAMS = ["group_by", "pool", "key_id", "team", "start_time", "end_time"];
const GROUP_PREFIX = "USAGE_GROUP_BY_";
/** The short group_by names, lowercase (the enum object maps names to numbers and back). */
const GROUPS = Object.keys(UsageGroupBy)
  .filter((k) => /^[A-Z]+$/.test(k) && k !== "UNSPECIFIED")
  .map((k) => k.toLowerCase());
const COLUMNS = ["group", "requests", "input_tokens", "cached_input_tokens", "output_tokens", "reasoning_tokens", "audio_tokens", "cost_usd_micros", "cost_usd", "cache_hits"];

/** A CSV field: quoted when it holds a comma, quote or line break; a leading =, +, - or @ is kept as text. */
function field(value: string): string {
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function row(r: UsageReportRow, group: string): string {
  const usd = (Number(r.costUsdMicros) / 1e6).toFixed(6);
  const n = [r.requests, r.inputTokens, r.cachedInputTokens, r.outputTokens, r.reasoningTokens, r.audioTokens, r.costUsdMicros].map(String);
  return [field(group), ...n, usd, String(r.cacheHits)].join(",");
}

/** The query as GetUsageReportRequest JSON; InvalidArgument naming an unknown parameter. */
function requestJson(search: URLSearchParams): JsonObject {
  const json: JsonObject = {};
  for (const [name, value] of search) {
    if (!PARAMS.includes(name)) throw new ConnectError(`query parameter ${JSON.stringify(name)} is not allowed; use: ${PARAMS.join(", ")}`, Code.InvalidArgument);
    json[name] = name === "group_by" ? groupBy(value) : value;
  }
  return json;
}

const TIME = "use an RFC 3339 time such as 2026-01-01T00:00:00Z";

/** The GetUsageReportRequest of the query; each parameter decoded alone first, so a bad one is named. */
function requestOf(search: URLSearchParams): GetUsageReportRequest {
  const json = requestJson(search);
  for (const [name, value] of Object.entries(json)) {
    try {
      fromJson(GetUsageReportRequestSchema, { [name]: value });
    } catch (err) {
      const hint = name.endsWith("_time") ? TIME : (err as Error).message;
      throw invalidArgument(name, `${JSON.stringify(value)} is not allowed; ${hint}`);
    }
  }
  return fromJson(GetUsageReportRequestSchema, json);
}

/** group_by as the enum's JSON name: a short name (key, team, ...) is the value's last part. */
function groupBy(value: string): string {
  const upper = value.toUpperCase();
  const full = upper.startsWith(GROUP_PREFIX) ? upper : `${GROUP_PREFIX}${upper}`;
  const short = full.slice(GROUP_PREFIX.length);
  if (/^[A-Z]+$/.test(short) && short in UsageGroupBy) return full;
  throw invalidArgument("group_by", `${JSON.stringify(value)} is not one of: ${GROUPS.join(", ")}`);
}

export function usageCsvEndpoint(routes: (router: ConnectRouter) => void, interceptors: Interceptor[]): RestHandler {
  const client = createClient(BudgetService, createRouterTransport(routes, { router: { interceptors } }));
  const registry = createRegistry(BudgetService.file);
  return async (req, res) => {
    const url = new URL(req.url ?? "/", "http://hoosh");
    if (url.pathname !== USAGE_CSV_PATH) return false;
    discardBody(req);
    try {
      if (req.method !== "GET") throw new ConnectError(`method ${req.method} is not allowed here; use GET`, Code.Unimplemented);
      const request = requestOf(url.searchParams);
      const headers = new Headers();
      for (const name of FORWARDED_REQUEST_HEADERS) {
        const value = req.headers[name];
        if (typeof value === "string") headers.set(name, value);
      }
      const report = await client.getUsageReport(request, { headers });
      const lines = [COLUMNS.join(","), ...report.rows.map((r) => row(r, r.group))];
      if (report.total) lines.push(row(report.total, "total"));
      writeText(res, 200, `${lines.join("\r\n")}\r\n`, "text/csv; charset=utf-8", { "content-disposition": 'attachment; filename="hoosh-usage.csv"' });
    } catch (err) {
      writeHttpError(res, httpError(err, registry, req.method !== "GET" ? 405 : undefined));
    }
    return true;
  };
}
