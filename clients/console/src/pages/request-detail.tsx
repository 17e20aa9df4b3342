// One logged request, every field the log keeps (from the row already loaded: no extra RPC), and
// a button that opens it in the playground with its model and, when the log keeps payloads, its text.
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Fragment } from "preact";
import { useLayoutEffect, useRef } from "preact/hooks";
import type { RequestRecord } from "../../../../gen/ts/hoosh/v1/requests_pb.js";
import { count, ms, usd } from "../format.js";
import { openInPlayground } from "../handoff.js";

export function RequestDetail({ record: r, onClose }: { record: RequestRecord; onClose: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useLayoutEffect(() => heading.current?.focus(), [r.requestId]);
  const facts: [string, string][] = [
    ["Time", r.time ? timestampDate(r.time).toLocaleString() : "—"],
    ["Request id", r.requestId],
    ["Status", r.status],
    ["Error", r.error || "—"],
    ["Operation", r.operation],
    ["Edge", r.edge],
    ["Model asked for", r.model],
    ["Model that answered", r.servedModel || "—"],
    ["Provider", r.provider || "—"],
    ["Attempts", String(r.attempts)],
    ["Key", r.keyId || "— (no key)"],
    ["Team", r.team || "—"],
    ["Budget pool", r.budgetPool || "—"],
    ["Streamed", r.stream ? "yes" : "no"],
    ["Cache hit", r.cacheHit ? "yes" : "no"],
    ["Tokens in (cached) / out (reasoning)", `${count(r.inputTokens)} (${count(r.cachedInputTokens)}) / ${count(r.outputTokens)} (${count(r.reasoningTokens)})`],
    ["Cost", usd(r.costUsdMicros)],
    ["Latency", ms(r.latencyMs)],
    ["Time to first token", r.ttftMs ? ms(r.ttftMs) : "—"],
  ];
  const chat = r.operation === "chat";
  return (
    <article class="detail" data-testid="request-detail" aria-labelledby="request-detail-title">
      <h2 id="request-detail-title" ref={heading} tabIndex={-1}>
        Request {r.requestId}
      </h2>
      <dl class="facts">
        {facts.map(([k, v]) => (
          <Fragment key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </Fragment>
        ))}
      </dl>
      <h3>Prompt</h3>
      {r.prompt ? <pre class="payload">{r.prompt}</pre> : <p class="muted">Not logged: hoosh keeps request text only with [log] payloads = true.</p>}
      <h3>Answer</h3>
      {r.answer ? <pre class="payload">{r.answer}</pre> : <p class="muted">Not logged.</p>}
      <div class="actions">
        {chat ? (
          <button type="button" onClick={() => openInPlayground({ model: r.model, prompt: r.prompt })}>
            Open in playground
          </button>
        ) : (
          <span class="muted">Only chat requests open in the playground.</span>
        )}
        <button type="button" class="secondary" onClick={onClose}>
          Close
        </button>
      </div>
    </article>
  );
}
