// The one place requests are measured: a decorator over the Inference core
// with the same public methods, handed to every edge (RPC and REST), so each
// request is counted once. Per request: metrics, one access log line, one
// request log record (core/requests: handed over, written later), a request
// span (or just a traceparent upstream), streams in flight.
import { ConnectError } from "@connectrpc/connect";
import type { Message, Usage } from "../../gen/ts/hoosh/v1/chat_pb.js";
import type { RequestSink } from "../core/requests/log.js";
import type { Inference } from "../core/inference.js";
import type { CallContext, ChatRequest } from "../providers/provider.js";
import type { Logger } from "./log.js";
import { codeName, type Metrics } from "./metrics.js";
import type { ModelLabels } from "./model-labels.js";
import type { Tracing } from "./tracing.js";
import { answerText, requestRecord } from "./request-record.js";

export interface InstrumentDeps {
  metrics: Metrics;
  models: ModelLabels;
  tracing: Tracing;
  logger: Logger;
  /** [observability] log_prompts: add the request's text to the access line. */
  logPrompts: boolean;
  /** The request log ([log]); none when it is off. */
  requests?: RequestSink | undefined;
}

type Operation = "chat" | "embeddings";
const NO_ATTRIBUTES = {};
type InferenceApi = Pick<Inference, "generate" | "generateStream" | "embed">;

/** One request being measured. */
class Measured {
  private readonly startedAt = performance.now();
  private readonly startedAtMs = Date.now();
  private readonly span;
  private ttftMs: number | undefined;
  ended = false;

  constructor(
    private readonly deps: InstrumentDeps,
    private readonly route: string,
    private readonly operation: Operation,
    private readonly model: string,
    private readonly call: CallContext,
    private readonly prompt: () => string[],
    /** For the request log: where the call came in. */
    private readonly edge: string,
    private readonly stream = false,
  ) {
    call.stats ??= { provider: "", attempts: 0, upstreamMs: 0 };
    const headers = (call.forwardHeaders ??= {});
    // Span attributes are built only when spans are exported.
    this.span = deps.tracing.exporting
      ? deps.tracing.start(`${operation} ${model}`, "server", headers.traceparent, {
          "gen_ai.operation.name": operation,
          "gen_ai.request.model": model,
          "hoosh.route": route,
          "hoosh.request_id": call.requestId,
        })
      : deps.tracing.start("", "server", headers.traceparent, NO_ATTRIBUTES);
    const traceparent = this.span.traceparent;
    if (traceparent === undefined) {
      delete headers.traceparent;
      delete headers.tracestate;
    } else {
      if (headers.traceparent !== traceparent && !deps.tracing.exporting) delete headers.tracestate;
      headers.traceparent = traceparent;
    }
  }

  get provider(): string {
    return this.call.stats?.provider || "none";
  }

  get modelLabel(): string {
    return this.deps.models.label(this.model);
  }

  ttft(): void {
    this.ttftMs = performance.now() - this.startedAt;
    this.deps.metrics.firstToken(this.route, this.provider, this.modelLabel, this.ttftMs / 1000);
  }

  done(usage: Usage | undefined, answer?: Message): void {
    this.end("OK", usage, undefined, answer);
  }

  fail(err: unknown): void {
    const error = ConnectError.from(err);
    this.end(codeName(error.code), undefined, error.rawMessage);
  }

  private end(code: string, usage: Usage | undefined, error?: string, answer?: Message): void {
    if (this.ended) return;
    this.ended = true;
    const ms = performance.now() - this.startedAt;
    const { metrics, logger } = this.deps;
    const provider = this.provider;
    metrics.request({
      route: this.route,
      operation: this.operation,
      model: this.modelLabel,
      provider,
      code,
      seconds: ms / 1000,
      inputTokens: usage?.inputTokens,
      outputTokens: usage?.outputTokens,
      costUsdMicros: usage?.costUsdMicros,
      cacheHit: usage?.cacheHit,
    });
    if (this.deps.tracing.exporting) {
      this.span.end(
        {
          "gen_ai.provider.name": provider,
          ...(usage ? { "gen_ai.usage.input_tokens": usage.inputTokens, "gen_ai.usage.output_tokens": usage.outputTokens } : {}),
          "rpc.grpc.status_code": code,
        },
        code === "OK" ? undefined : code,
      );
    }
    logger.log(code === "OK" ? "info" : "warn", "access", {
      request_id: this.call.requestId,
      route: this.route,
      provider,
      model: this.model.slice(0, 128),
      code,
      duration_ms: Math.round(ms * 10) / 10,
      attempts: this.call.stats?.attempts ?? 0,
      input_tokens: usage?.inputTokens ?? 0,
      output_tokens: usage?.outputTokens ?? 0,
      cache_hit: usage?.cacheHit ?? false,
      traceparent: this.call.forwardHeaders?.traceparent,
      ...(this.deps.logPrompts ? { prompt: this.prompt() } : {}),
    });
    const requests = this.deps.requests;
    requests?.write(
      requestRecord(
        {
          startedAt: this.startedAtMs,
          edge: this.edge,
          operation: this.operation,
          model: this.model,
          call: this.call,
          status: code,
          usage,
          latencyMs: ms,
          ttftMs: this.ttftMs,
          stream: this.stream,
          error,
          prompt: this.prompt,
          answer: requests.payloads && answer ? answerText(answer) : undefined,
        },
        requests,
      ),
    );
  }
}

function chatText(req: ChatRequest): string[] {
  return req.messages.map((m) => m.content.map((p) => (p.part.case === "text" ? p.part.value : "")).join(""));
}

export class InstrumentedInference implements InferenceApi {
  constructor(
    private readonly inner: InferenceApi,
    /** Which edge this instance serves: "rpc" or "rest" (metric route labels). */
    private readonly edge: string,
    private readonly deps: InstrumentDeps,
    /** The request log's edge: "openai" or "anthropic" for REST; RPC calls name their protocol (CallContext.edge). */
    private readonly logEdge?: string,
  ) {}

  private edgeOf(call: CallContext): string {
    return this.logEdge ?? call.edge ?? this.edge;
  }

  async generate(...args: Parameters<Inference["generate"]>): ReturnType<Inference["generate"]> {
    const [req, call] = args;
    const m = new Measured(this.deps, `${this.edge}:generate`, "chat", req.model, call, () => chatText(req), this.edgeOf(call));
    try {
      const res = await this.inner.generate(...args);
      m.done(res.usage, res.message);
      return res;
    } catch (err) {
      m.fail(err);
      throw err;
    }
  }

  async embed(...args: Parameters<Inference["embed"]>): ReturnType<Inference["embed"]> {
    const [req, call] = args;
    const m = new Measured(this.deps, `${this.edge}:embed`, "embeddings", req.model, call, () => req.inputs, this.edgeOf(call));
    try {
      const res = await this.inner.embed(...args);
      m.done(res.usage);
      return res;
    } catch (err) {
      m.fail(err);
      throw err;
    }
  }

  async *generateStream(...args: Parameters<Inference["generateStream"]>): ReturnType<Inference["generateStream"]> {
    const [req, call] = args;
    const route = `${this.edge}:generate_stream`;
    const m = new Measured(this.deps, route, "chat", req.model, call, () => chatText(req), this.edgeOf(call), true);
    const inFlight = this.deps.metrics.streamsInFlight;
    inFlight.inc({ route });
    let usage: Usage | undefined;
    let answer: Message | undefined;
    let first = true;
    try {
      for await (const res of this.inner.generateStream(...args)) {
        const kind = res.event.case;
        if (kind === "end") ({ usage, message: answer } = res.event.value);
        else if (first && kind !== "start") {
          first = false;
          m.ttft();
        }
        yield res;
      }
      m.done(usage, answer);
    } catch (err) {
      m.fail(err);
      throw err;
    } finally {
      inFlight.dec({ route });
      // The caller stopped reading (cancel, disconnect): Code.Canceled.
      if (!m.ended) m.fail(new ConnectError("stream abandoned by the caller", 1));
    }
  }
}

/**
 * The decorated core, typed as the Inference the edges take: they call only
 * generate/generateStream/embed; anything else is forwarded to the real core.
 */
export function instrumentInference(inner: Inference, edge: string, deps: InstrumentDeps, logEdge?: string): Inference {
  const d = new InstrumentedInference(inner, edge, deps, logEdge);
  const own: Record<PropertyKey, unknown> = { generate: d.generate.bind(d), generateStream: d.generateStream.bind(d), embed: d.embed.bind(d) };
  return new Proxy(inner, {
    get(target, prop) {
      if (Object.hasOwn(own, prop)) return own[prop];
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
