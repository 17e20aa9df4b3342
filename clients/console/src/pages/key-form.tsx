// The form that creates a key (KeysService.CreateKey): name, team, scopes, model patterns,
// limits, budget and expiry. hoosh checks every value; the form only turns text into the
// contract's types, so a bad value comes back as hoosh's own error, shown by its field's label
// with that field marked and focused.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { useLayoutEffect, useState } from "preact/hooks";
import { BudgetPeriod } from "../../../../gen/ts/hoosh/v1/budget_pb.js";
import { ApiKeySchema } from "../../../../gen/ts/hoosh/v1/keys_pb.js";
import { fieldError } from "../field-error.js";

/** The scopes hoosh knows (ApiKey.scopes in keys.proto). */
const SCOPES = ["inference", "transcribe", "budgets:read", "budgets:write", "tools", "admin"] as const;
const PERIODS: [string, BudgetPeriod][] = [
  ["none (one total)", BudgetPeriod.NONE],
  ["hourly", BudgetPeriod.HOURLY],
  ["daily", BudgetPeriod.DAILY],
  ["monthly", BudgetPeriod.MONTHLY],
];

/** Field path prefix → [label, input id]. */
const FIELDS: Record<string, [string, string]> = {
  "key.name": ["Name", "kf-name"],
  "key.team": ["Team", "kf-team"],
  "key.scopes": ["Scopes", "kf-scope-inference"],
  "key.models": ["Model patterns", "kf-models"],
  "key.limits.rpm": ["Requests per minute", "kf-rpm"],
  "key.limits.tpm": ["Tokens per minute", "kf-tpm"],
  "key.limits.max_concurrent_requests": ["Requests at once", "kf-concurrent"],
  "key.budget": ["Budget", "kf-tokens"],
  "key.budget.tokens": ["Budget tokens", "kf-tokens"],
  "key.budget.usd_micros": ["Budget USD", "kf-usd"],
  "key.budget.pool": ["Budget pool", "kf-pool"],
  "key.budget.period": ["Budget period", "kf-period"],
  "key.expire_time": ["Expires", "kf-expiry"],
};
const LABELS = Object.fromEntries(Object.entries(FIELDS).map(([path, [label]]) => [path, label]));

type KeyInit = MessageInitShape<typeof ApiKeySchema>;

/** A whole number typed into a field, or undefined when left empty; throws naming the field. */
function whole(text: string, label: string): number | undefined {
  const t = text.trim();
  if (t === "") return undefined;
  if (!/^\d+$/.test(t) || !Number.isSafeInteger(Number(t))) throw new Error(`${label}: "${t}" is not a whole number (leave it empty for no limit).`);
  return Number(t);
}

/** Dollars with up to 6 decimals as micro-USD (exact: no floating point). */
function micros(text: string, label: string): bigint | undefined {
  const t = text.trim().replace(/^\$/, "");
  if (t === "") return undefined;
  const m = /^(\d+)(?:\.(\d{1,6}))?$/.exec(t);
  if (!m) throw new Error(`${label}: "${text.trim()}" is not an amount in dollars such as 5 or 0.25.`);
  return BigInt(m[1]!) * 1_000_000n + BigInt((m[2] ?? "").padEnd(6, "0"));
}

export function KeyForm(props: { teams: string[]; onCreate: (key: KeyInit) => Promise<void> }) {
  const [v, setV] = useState({ name: "", team: "", models: "", rpm: "", tpm: "", concurrent: "", tokens: "", usd: "", period: "daily", pool: "", expiry: "" });
  const [scopes, setScopes] = useState<string[]>(["inference"]);
  const [error, setError] = useState<{ text: string; field?: string | undefined }>();
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof v) => (e: Event) => setV({ ...v, [k]: (e.currentTarget as HTMLInputElement).value });
  const invalid = (id: string) => (error?.field && FIELDS[error.field]?.[1] === id ? true : undefined);

  // Move focus to the field hoosh named, so a keyboard user lands where the fix goes.
  useLayoutEffect(() => {
    const id = error?.field && FIELDS[error.field]?.[1];
    if (id) document.getElementById(id)?.focus();
  }, [error]);

  const build = (): KeyInit => {
    const tokens = whole(v.tokens, "Budget tokens");
    const usdMicros = micros(v.usd, "Budget USD");
    const pool = v.pool.trim();
    const budget = tokens !== undefined || usdMicros !== undefined || pool ? { tokens: tokens === undefined ? undefined : BigInt(tokens), usdMicros, pool, period: PERIODS.find(([n]) => n === v.period)?.[1] ?? BudgetPeriod.NONE } : undefined;
    // datetime-local is the browser's local time.
    const expiry = v.expiry ? new Date(v.expiry) : undefined;
    if (expiry && Number.isNaN(expiry.getTime())) throw new Error(`Expires: "${v.expiry}" is not a date and time.`);
    return create(ApiKeySchema, {
      name: v.name.trim(),
      team: v.team.trim(),
      scopes,
      models: v.models.split(/[,\n]/).map((m) => m.trim()).filter((m) => m !== ""),
      limits: { rpm: whole(v.rpm, "Requests per minute"), tpm: whole(v.tpm, "Tokens per minute"), maxConcurrentRequests: whole(v.concurrent, "Requests at once") },
      budget,
      expireTime: expiry ? timestampFromDate(expiry) : undefined,
    });
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    let key: KeyInit;
    try {
      key = build();
    } catch (err) {
      return setError({ text: (err as Error).message });
    }
    setBusy(true);
    try {
      await props.onCreate(key);
      setError(undefined);
      setV({ ...v, name: "" });
    } catch (err) {
      setError(fieldError(err, LABELS));
    } finally {
      setBusy(false);
    }
  };

  const input = (id: string, key: keyof typeof v, label: string, hint?: string, extra: Record<string, unknown> = {}) => (
    <div class="field">
      <label for={id}>{label}</label>
      {hint ? <span class="hint" id={`${id}-hint`}>{hint}</span> : null}
      <input id={id} value={v[key]} onInput={set(key)} aria-invalid={invalid(id)} aria-describedby={hint ? `${id}-hint` : undefined} {...extra} />
    </div>
  );

  return (
    <form class="key-form" onSubmit={submit} aria-labelledby="key-form-title">
      <h2 id="key-form-title">Create a key</h2>
      {input("kf-name", "name", "Name", "lowercase letters, digits, . _ -", { autocomplete: "off" })}
      {input("kf-team", "team", "Team (optional)", undefined, { list: "kf-teams" })}
      <datalist id="kf-teams">
        {props.teams.map((t) => (
          <option key={t} value={t} />
        ))}
      </datalist>
      <fieldset aria-invalid={invalid("kf-scope-inference")}>
        <legend>Scopes</legend>
        {SCOPES.map((s) => (
          <label key={s} class="check">
            <input type="checkbox" id={`kf-scope-${s.replace(":", "-")}`} checked={scopes.includes(s)} onChange={(e) => setScopes(e.currentTarget.checked ? [...scopes, s] : scopes.filter((x) => x !== s))} />
            {s}
          </label>
        ))}
      </fieldset>
      <div class="field">
        <label for="kf-models">Model patterns (optional)</label>
        <span class="hint" id="kf-models-hint">
          one per line or comma-separated, e.g. gpt-4o* or claude-*; empty allows every model
        </span>
        <textarea id="kf-models" rows={2} value={v.models} onInput={set("models")} aria-invalid={invalid("kf-models")} aria-describedby="kf-models-hint" />
      </div>
      <fieldset>
        <legend>Limits (empty: none)</legend>
        <div class="row">
          {input("kf-rpm", "rpm", "Requests per minute", undefined, { inputMode: "numeric" })}
          {input("kf-tpm", "tpm", "Tokens per minute", undefined, { inputMode: "numeric" })}
          {input("kf-concurrent", "concurrent", "Requests at once", undefined, { inputMode: "numeric" })}
        </div>
      </fieldset>
      <fieldset>
        <legend>Budget (empty: none of its own)</legend>
        <div class="row">
          {input("kf-tokens", "tokens", "Tokens per period", undefined, { inputMode: "numeric" })}
          {input("kf-usd", "usd", "USD per period", undefined, { inputMode: "decimal" })}
          <div class="field">
            <label for="kf-period">Period</label>
            <select id="kf-period" value={v.period} onChange={set("period")} aria-invalid={invalid("kf-period")}>
              {PERIODS.map(([n]) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </div>
        </div>
        {input("kf-pool", "pool", "Or charge a named pool", "instead of tokens/USD: a [[budgets]] pool")}
      </fieldset>
      {input("kf-expiry", "expiry", "Expires (optional, your local time)", undefined, { type: "datetime-local" })}
      <div class="actions">
        <button type="submit" disabled={busy}>
          Create key
        </button>
      </div>
      {error ? (
        <p class="error" role="alert">
          {error.text}
        </p>
      ) : null}
    </form>
  );
}
