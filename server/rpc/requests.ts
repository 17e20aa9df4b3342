/**
 * hoosh.v1.RequestLogService over the app's request log (core/requests/log.ts): proto in, proto
 * out; admin scope (auth/interceptor.ts). ListRequests checks its filters and page, then asks the
 * store for one page; TailRequests follows the records this replica writes (first saying it is
 * ready, when asked).
 */
import { create } from "@bufbuild/protobuf";
import { timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { RequestLogService, RequestRecordSchema, type RequestRecord as WireRecord } from "../../gen/ts/hoosh/v1/requests_pb.js";
import { invalidArgument } from "../core/budget/errors.js";
import { decodeCursor, encodeCursor, type RequestLog } from "../core/requests/log.js";
import { ERROR_STATUS, type RequestFilter, type RequestRecord } from "../core/requests/record.js";
import { codeName } from "../observability/metrics.js";

const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;
/** "OK", every gRPC code name, and "error" (any failure). */
const STATUSES = ["OK", ...Array.from({ length: 16 }, (_, i) => codeName(i + 1)), ERROR_STATUS];

export function recordOut(r: RequestRecord): WireRecord {
  return create(RequestRecordSchema, {
    time: timestampFromMs(r.time),
    requestId: r.requestId,
    keyId: r.keyId ?? "",
    team: r.team ?? "",
    edge: r.edge,
    operation: r.operation,
    model: r.model,
    servedModel: r.servedModel ?? "",
    provider: r.provider ?? "",
    attempts: r.attempts,
    status: r.status,
    inputTokens: BigInt(r.inputTokens),
    cachedInputTokens: BigInt(r.cachedInputTokens),
    outputTokens: BigInt(r.outputTokens),
    reasoningTokens: BigInt(r.reasoningTokens),
    costUsdMicros: BigInt(r.costUsdMicros),
    latencyMs: r.latencyMs,
    ttftMs: r.ttftMs ?? 0,
    cacheHit: r.cacheHit,
    budgetPool: r.budgetPool ?? "",
    error: r.error ?? "",
    prompt: r.prompt ?? "",
    answer: r.answer ?? "",
    stream: r.stream,
  });
}

function filterOf(req: { keyId: string; team: string; model: string; provider: string; status: string }): RequestFilter {
  if (req.status !== "" && !STATUSES.includes(req.status)) throw invalidArgument("status", `${JSON.stringify(req.status)} is not one of: ${STATUSES.join(", ")}`);
  const opt = (v: string) => (v === "" ? undefined : v);
  return { keyId: opt(req.keyId), team: opt(req.team), model: opt(req.model), provider: opt(req.provider), status: opt(req.status) };
}

export function createRequestLogService(log: RequestLog | undefined): ServiceImpl<typeof RequestLogService> {
  const on = (): RequestLog => {
    if (!log) throw new ConnectError("the request log is off ([log] enabled = false)", Code.FailedPrecondition);
    return log;
  };
  return {
    async listRequests(req) {
      const filter = filterOf(req);
      if (req.pageSize < 0 || req.pageSize > MAX_PAGE) throw invalidArgument("page_size", `${req.pageSize} is not allowed; must be 1 to ${MAX_PAGE}, or 0 for ${DEFAULT_PAGE}`);
      const after = req.pageToken === "" ? undefined : decodeCursor(req.pageToken);
      if (req.pageToken !== "" && !after) throw invalidArgument("page_token", "is not a token this server gave out (next_page_token of a previous page)");
      const start = req.startTime ? timestampMs(req.startTime) : undefined;
      const end = req.endTime ? timestampMs(req.endTime) : undefined;
      if (start !== undefined && end !== undefined && start > end) throw invalidArgument("start_time", `${new Date(start).toISOString()} is after end_time ${new Date(end).toISOString()}`);
      const page = await on().list({ ...filter, start, end, after, limit: req.pageSize || DEFAULT_PAGE });
      return { records: page.records.map(recordOut), nextPageToken: page.next ? encodeCursor(page.next) : "" };
    },
    async *tailRequests(req, ctx) {
      // Listening from this call on; `done` ends the subscription however the stream ends.
      const done = new AbortController();
      const records = on().tail(filterOf(req), AbortSignal.any([ctx.signal, done.signal]));
      try {
        if (req.readyMessage) yield { ready: true };
        for await (const record of records) yield { record: recordOut(record) };
      } finally {
        done.abort();
      }
    },
  };
}
