// One chat turn over InferenceService.GenerateStream: the text as it streams, time to first
// token, tokens, cost and the provider that answered; Cancel aborts the call (and with it the
// upstream request).
import { useEffect, useRef, useState } from "preact/hooks";
import { Role } from "../../../../gen/ts/hoosh/v1/chat_pb.js";
import { Capability, type Model } from "../../../../gen/ts/hoosh/v1/models_pb.js";
import type { PageProps } from "../app.js";
import { plainError } from "../errors.js";
import { count, ms, usd } from "../format.js";
import { ErrorNote } from "../error-note.js";
import { takeDraft } from "../handoff.js";

interface Outcome {
  provider: string;
  ttftMs?: number;
  inputTokens?: number;
  outputTokens?: number;
  costUsdMicros?: bigint;
  status: "streaming" | "done" | "cancelled" | "failed";
}

export function Playground({ client, onAuthError }: PageProps) {
  // A request opened from the request log (handoff.ts) starts the form with its model and text.
  const [draft] = useState(takeDraft);
  const [models, setModels] = useState<Model[]>([]);
  const [model, setModel] = useState(draft?.model ?? "");
  const [prompt, setPrompt] = useState(draft?.prompt || "Say hello.");
  const [answer, setAnswer] = useState("");
  const [outcome, setOutcome] = useState<Outcome>();
  const [error, setError] = useState<string>();
  const running = useRef<AbortController | null>(null);

  useEffect(() => {
    client.models.listModels({}).then(
      (r) => {
        const chat = r.models.filter((m) => m.capabilities.length === 0 || m.capabilities.includes(Capability.CHAT));
        setModels(chat);
        setModel((m) => m || chat[0]?.id || "");
      },
      (err: unknown) => {
        onAuthError(err);
        setError(plainError(err));
      },
    );
    return () => running.current?.abort();
  }, [client]);

  const send = async (e: Event) => {
    e.preventDefault();
    if (!model) {
      setError("Pick a model first.");
      return;
    }
    const controller = new AbortController();
    running.current = controller;
    setAnswer("");
    setError(undefined);
    const started = performance.now();
    let o: Outcome = { provider: "", status: "streaming" };
    setOutcome(o);
    try {
      const stream = client.inference.generateStream(
        { model, messages: [{ role: Role.USER, content: [{ part: { case: "text", value: prompt } }] }] },
        { signal: controller.signal, timeoutMs: 5 * 60_000 },
      );
      for await (const ev of stream) {
        if (ev.event.case === "start") o = { ...o, provider: ev.event.value.provider };
        else if (ev.event.case === "text") {
          if (o.ttftMs === undefined) o = { ...o, ttftMs: performance.now() - started };
          const piece = ev.event.value.text;
          setAnswer((a) => a + piece);
        } else if (ev.event.case === "end") {
          const u = ev.event.value.usage;
          o = { ...o, provider: u?.provider || o.provider, inputTokens: u?.inputTokens, outputTokens: u?.outputTokens, costUsdMicros: u?.costUsdMicros };
        }
        setOutcome(o);
      }
      setOutcome({ ...o, status: "done" });
    } catch (err) {
      if (controller.signal.aborted) setOutcome({ ...o, status: "cancelled" });
      else {
        onAuthError(err);
        setError(plainError(err));
        setOutcome({ ...o, status: "failed" });
      }
    } finally {
      if (running.current === controller) running.current = null;
    }
  };

  const streaming = outcome?.status === "streaming";
  return (
    <section>
      {draft ? (
        <p class="muted" data-testid="draft">
          Opened from the request log: model {draft.model}
          {draft.prompt ? ", with the logged text as one message (the log keeps the text of every message joined, without roles)." : ". The log kept no text of this request ([log] payloads = false), so write the message."}
        </p>
      ) : null}
      <form class="playground" onSubmit={send}>
        <label for="model">Model</label>
        <select id="model" value={model} onChange={(e) => setModel(e.currentTarget.value)}>
          {/* A model asked for by name (e.g. from the log) that ListModels does not list. */}
          {model && !models.some((m) => m.id === model) ? <option value={model}>{model}</option> : null}
          {models.map((m) => (
            <option key={`${m.provider}/${m.id}`} value={m.id}>
              {m.id} ({m.provider})
            </option>
          ))}
        </select>
        <label for="prompt">Message</label>
        <textarea id="prompt" rows={4} value={prompt} onInput={(e) => setPrompt(e.currentTarget.value)} />
        <div class="actions">
          <button type="submit" disabled={streaming}>
            Send
          </button>
          <button type="button" disabled={!streaming} onClick={() => running.current?.abort()}>
            Cancel
          </button>
        </div>
      </form>
      <ErrorNote message={error} />
      <output id="answer" class="answer" aria-live="polite">
        {answer}
      </output>
      {outcome ? (
        <dl class="facts" data-testid="outcome" data-status={outcome.status}>
          <dt>Status</dt>
          <dd>{outcome.status}</dd>
          <dt>Provider</dt>
          <dd>{outcome.provider || "—"}</dd>
          <dt>Time to first token</dt>
          <dd>{outcome.ttftMs === undefined ? "—" : ms(outcome.ttftMs)}</dd>
          <dt>Tokens in / out</dt>
          <dd>{outcome.inputTokens === undefined ? "—" : `${count(outcome.inputTokens)} / ${count(outcome.outputTokens ?? 0)}`}</dd>
          <dt>Cost</dt>
          <dd>{outcome.costUsdMicros === undefined ? "—" : usd(outcome.costUsdMicros)}</dd>
        </dl>
      ) : null}
    </section>
  );
}
