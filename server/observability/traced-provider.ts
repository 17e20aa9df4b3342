// One client span per upstream attempt (only when spans are exported): a
// decorator over a Provider that starts the span under the request's span
// (the traceparent the request carries) and sends the attempt's own
// traceparent upstream.
import { ConnectError } from "@connectrpc/connect";
import type { Usage } from "../../gen/ts/hoosh/v1/chat_pb.js";
import type { CallContext, Provider } from "../providers/provider.js";
import { codeName } from "./metrics.js";
import type { SpanHandle, Tracing } from "./tracing.js";

export function traceProvider(provider: Provider, tracing: Tracing): Provider {
  if (!tracing.exporting) return provider;
  const attempt = (operation: string, model: string, call: CallContext): [SpanHandle, CallContext] => {
    const span = tracing.start(`${operation} ${model}`, "client", call.forwardHeaders?.traceparent, {
      "gen_ai.operation.name": operation,
      "gen_ai.request.model": model,
      "gen_ai.provider.name": provider.name,
      "hoosh.provider.type": provider.type,
    });
    return [span, { ...call, forwardHeaders: { ...call.forwardHeaders, ...(span.traceparent ? { traceparent: span.traceparent } : {}) } }];
  };
  const usageAttrs = (u: Usage | undefined) => (u ? { "gen_ai.usage.input_tokens": u.inputTokens, "gen_ai.usage.output_tokens": u.outputTokens } : {});
  const failed = (span: SpanHandle, err: unknown) => span.end({}, codeName(ConnectError.from(err).code));

  const own: Partial<Provider> = {
    async generate(req, call) {
      const [span, traced] = attempt("chat", req.model, call);
      try {
        const res = await provider.generate(req, traced);
        span.end({ ...usageAttrs(res.usage), "gen_ai.response.model": res.model });
        return res;
      } catch (err) {
        failed(span, err);
        throw err;
      }
    },
    async embed(req, call) {
      const [span, traced] = attempt("embeddings", req.model, call);
      try {
        const res = await provider.embed(req, traced);
        span.end(usageAttrs(res.usage));
        return res;
      } catch (err) {
        failed(span, err);
        throw err;
      }
    },
    async *generateStream(req, call) {
      const [span, traced] = attempt("chat", req.model, call);
      let usage: Usage | undefined;
      let ended = false;
      try {
        for await (const res of provider.generateStream(req, traced)) {
          if (res.event.case === "end") usage = res.event.value.usage;
          yield res;
        }
        span.end(usageAttrs(usage));
        ended = true;
      } catch (err) {
        failed(span, err);
        ended = true;
        throw err;
      } finally {
        if (!ended) span.end({}, "canceled");
      }
    },
  };
  return new Proxy(provider, {
    get(target, prop) {
      if (Object.hasOwn(own, prop)) return own[prop as keyof Provider];
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
