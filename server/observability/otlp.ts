// Span export over OTLP/HTTP (JSON) to [observability] otlp_endpoint. Loaded
// only when that is set (the SDK costs ~200 ms of startup). Its own
// TracerProvider, never registered globally.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Tracer } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { formatTraceparent, parseTraceparent, type SpanHandle, type SpanStarter } from "./tracing.js";

export class OtlpSpans implements SpanStarter {
  private readonly provider: BasicTracerProvider;
  private readonly tracer: Tracer;

  constructor(endpoint: string, serviceName = "hoosh") {
    const base = endpoint.replace(/\/+$/, "");
    const url = base.endsWith("/v1/traces") ? base : `${base}/v1/traces`;
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ "service.name": serviceName }),
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }), { scheduledDelayMillis: 1000 })],
    });
    this.tracer = this.provider.getTracer("hoosh");
  }

  start(name: string, kind: "server" | "client", parent: string | undefined, attributes: Attributes): SpanHandle {
    const parentCtx = parseTraceparent(parent);
    const ctx = parentCtx ? trace.setSpanContext(ROOT_CONTEXT, parentCtx) : ROOT_CONTEXT;
    const span = this.tracer.startSpan(name, { kind: kind === "server" ? SpanKind.SERVER : SpanKind.CLIENT, attributes }, ctx);
    return {
      traceparent: formatTraceparent(span.spanContext()),
      end(attrs, error) {
        span.setAttributes(attrs);
        if (error) {
          span.setAttribute("error.type", error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: error });
        }
        span.end();
      },
    };
  }

  async close(): Promise<void> {
    await this.provider.shutdown().catch(() => undefined);
  }
}
