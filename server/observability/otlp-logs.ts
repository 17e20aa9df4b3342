// The request log exported as OTLP logs over HTTP/JSON ([log] otlp_endpoint → <url>/v1/logs),
// for people who run a collector: each batch the request log writes is one POST, sent in the
// background; a collector that fails or is slow loses that batch (logged once per failure
// streak), it never holds requests or the store's copy.
import type { RequestRecord } from "../core/requests/record.js";

type LogFn = (level: "warn", msg: string, fields?: Record<string, unknown>) => void;

type AnyValue = { stringValue: string } | { intValue: string } | { doubleValue: number } | { boolValue: boolean };

const SEVERITY_INFO = 9;
const SEVERITY_WARN = 13;
const TIMEOUT_MS = 5000;
const MAX_IN_FLIGHT = 4;

function value(v: string | number | boolean): AnyValue {
  if (typeof v === "string") return { stringValue: v };
  if (typeof v === "boolean") return { boolValue: v };
  return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
}

/** One record as an OTLP logRecord: hoosh.* and gen_ai.* attributes, the status as severity. */
export function logRecordOf(r: RequestRecord): Record<string, unknown> {
  const attrs: [string, string | number | boolean | undefined][] = [
    ["hoosh.request_id", r.requestId],
    ["hoosh.key_id", r.keyId],
    ["hoosh.team", r.team],
    ["hoosh.edge", r.edge],
    ["gen_ai.operation.name", r.operation],
    ["gen_ai.request.model", r.model],
    ["gen_ai.response.model", r.servedModel],
    ["gen_ai.provider.name", r.provider],
    ["hoosh.attempts", r.attempts],
    ["hoosh.status", r.status],
    ["gen_ai.usage.input_tokens", r.inputTokens],
    ["hoosh.usage.cached_input_tokens", r.cachedInputTokens],
    ["gen_ai.usage.output_tokens", r.outputTokens],
    ["hoosh.usage.reasoning_tokens", r.reasoningTokens],
    ["hoosh.cost_usd_micros", r.costUsdMicros],
    ["hoosh.latency_ms", r.latencyMs],
    ["hoosh.ttft_ms", r.ttftMs],
    ["hoosh.cache_hit", r.cacheHit],
    ["hoosh.budget_pool", r.budgetPool],
    ["hoosh.stream", r.stream],
    ["error.message", r.error],
    ["hoosh.prompt", r.prompt],
    ["hoosh.answer", r.answer],
  ];
  const nanos = `${BigInt(r.time) * 1_000_000n}`;
  return {
    timeUnixNano: nanos,
    observedTimeUnixNano: nanos,
    severityNumber: r.status === "OK" ? SEVERITY_INFO : SEVERITY_WARN,
    severityText: r.status === "OK" ? "INFO" : "WARN",
    body: { stringValue: `${r.operation} ${r.model} ${r.status}` },
    attributes: attrs.filter((a): a is [string, string | number | boolean] => a[1] !== undefined && a[1] !== "").map(([key, v]) => ({ key, value: value(v) })),
  };
}

export class OtlpLogExporter {
  private readonly url: string;
  private inFlight = 0;
  private failing = false;

  constructor(
    endpoint: string,
    private readonly log: LogFn = () => {},
    private readonly serviceName = "hoosh",
  ) {
    const base = endpoint.replace(/\/+$/, "");
    this.url = base.endsWith("/v1/logs") ? base : `${base}/v1/logs`;
  }

  /** Sends one batch in the background. */
  readonly export = (records: readonly RequestRecord[]): void => {
    if (records.length === 0) return;
    if (this.inFlight >= MAX_IN_FLIGHT) return this.fail("collector too slow; batch dropped", records.length);
    this.inFlight++;
    const body = JSON.stringify({
      resourceLogs: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: this.serviceName } }] },
          scopeLogs: [{ scope: { name: "hoosh.requests" }, logRecords: records.map(logRecordOf) }],
        },
      ],
    });
    void fetch(this.url, { method: "POST", headers: { "content-type": "application/json" }, body, signal: AbortSignal.timeout(TIMEOUT_MS) })
      .then(async (res) => {
        await res.body?.cancel();
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        this.failing = false;
      })
      .catch((err: unknown) => this.fail((err as Error).message, records.length))
      .finally(() => this.inFlight--);
  };

  private fail(error: string, records: number): void {
    // The host only: a URL may carry credentials.
    if (!this.failing) this.log("warn", "OTLP log export failed; records of this batch were not exported", { collector: new URL(this.url).host, records, error });
    this.failing = true;
  }
}
