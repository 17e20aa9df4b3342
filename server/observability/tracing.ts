// W3C trace context for upstream calls, and optional OTLP span export.
// - The caller's traceparent is forwarded as is when spans are not exported;
//   without one nothing is made up (no trace ids without tracing: the request
//   id, sent upstream as x-request-id, correlates the logs).
// - With [observability] otlp_endpoint, each request is a span (the caller's
//   traceparent its parent) and each upstream attempt a child span whose
//   context is what the upstream receives (otlp.ts). Nothing is global.
import type { Attributes, SpanContext } from "@opentelemetry/api";

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = "0".repeat(32);
const ZERO_SPAN = "0".repeat(16);

export function parseTraceparent(value: string | undefined): SpanContext | undefined {
  const m = value ? TRACEPARENT.exec(value.trim().toLowerCase()) : null;
  if (!m || m[1] === "ff" || m[2] === ZERO_TRACE || m[3] === ZERO_SPAN) return undefined;
  return { traceId: m[2]!, spanId: m[3]!, traceFlags: parseInt(m[4]!, 16) & 1, isRemote: true };
}

export function formatTraceparent(ctx: Pick<SpanContext, "traceId" | "spanId" | "traceFlags">): string {
  return `00-${ctx.traceId}-${ctx.spanId}-${(ctx.traceFlags & 1) === 1 ? "01" : "00"}`;
}

/** A started span, or a no-op one when spans are not exported. */
export interface SpanHandle {
  /** The traceparent to send upstream for work under this span (none: tracing off and the caller sent none). */
  traceparent: string | undefined;
  end(attributes: Attributes, error?: string): void;
}

export interface SpanStarter {
  start(name: string, kind: "server" | "client", parent: string | undefined, attributes: Attributes): SpanHandle;
  close(): Promise<void>;
}

const NO_SPAN: SpanHandle = { traceparent: undefined, end() {} };

export class Tracing {
  constructor(private readonly exporter?: SpanStarter) {}

  /** Loads the OTLP exporter only when an endpoint is configured. */
  static async create(otlpEndpoint: string | undefined): Promise<Tracing> {
    if (!otlpEndpoint) return new Tracing();
    const { OtlpSpans } = await import("./otlp.js");
    return new Tracing(new OtlpSpans(otlpEndpoint));
  }

  get exporting(): boolean {
    return this.exporter !== undefined;
  }

  /**
   * Starts a span under `parent` (a traceparent header value, if any). Without an exporter, returns
   * a valid parent unchanged, and no traceparent at all when there is none.
   */
  start(name: string, kind: "server" | "client", parent: string | undefined, attributes: Attributes): SpanHandle {
    if (this.exporter) return this.exporter.start(name, kind, parent, attributes);
    return parent && parseTraceparent(parent) ? { traceparent: parent, end() {} } : NO_SPAN;
  }

  async close(): Promise<void> {
    await this.exporter?.close();
  }
}
