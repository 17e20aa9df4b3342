// API keys (KeysService, admin scope): the list (stored keys and, read-only, the config file's
// [[keys]]), a form to create one, and revoke / rotate for stored keys. A new secret (CreateKey,
// RotateKey) is shown once, by SecretOnce, and kept nowhere else.
import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import { useEffect, useState } from "preact/hooks";
import { BudgetPeriod } from "../../../../gen/ts/hoosh/v1/budget_pb.js";
import { KeySource, KeyState, type ApiKey } from "../../../../gen/ts/hoosh/v1/keys_pb.js";
import type { PageProps } from "../app.js";
import { ErrorNote } from "../error-note.js";
import { plainError } from "../errors.js";
import { count, usd } from "../format.js";
import { SecretOnce } from "../secret.js";
import { TableHead } from "../table-head.js";
import { KeyAction } from "./key-action.js";
import { KeyForm } from "./key-form.js";

const STATE: Record<KeyState, { text: string; cls: string }> = {
  [KeyState.UNSPECIFIED]: { text: "—", cls: "muted" },
  [KeyState.ACTIVE]: { text: "active", cls: "ok" },
  [KeyState.REVOKED]: { text: "revoked", cls: "bad" },
  [KeyState.EXPIRED]: { text: "expired", cls: "warn" },
  [KeyState.DISABLED]: { text: "disabled", cls: "muted" },
};

const PER: Partial<Record<BudgetPeriod, string>> = { [BudgetPeriod.HOURLY]: " an hour", [BudgetPeriod.DAILY]: " a day", [BudgetPeriod.MONTHLY]: " a month" };

const when = (t: Timestamp | undefined) => (t ? timestampDate(t).toLocaleString() : "—");

function limitsText(k: ApiKey): string {
  const l = k.limits;
  const parts = [l?.rpm !== undefined && `${count(l.rpm)} req/min`, l?.tpm !== undefined && `${count(l.tpm)} tok/min`, l?.maxConcurrentRequests !== undefined && `${l.maxConcurrentRequests} at once`];
  return parts.filter(Boolean).join(", ") || "—";
}

function budgetText(k: ApiKey): string {
  const b = k.budget;
  if (!b) return "—";
  if (b.pool) return `pool ${b.pool}`;
  const amounts = [b.tokens !== undefined && `${count(b.tokens)} tokens`, b.usdMicros !== undefined && usd(b.usdMicros)].filter(Boolean).join(" + ");
  const per = PER[b.period] ?? "";
  return `${amounts}${per}${k.budgetPool ? ` (${k.budgetPool})` : ""}`;
}

export function Keys({ client, onAuthError }: PageProps) {
  const [keys, setKeys] = useState<ApiKey[]>();
  const [teams, setTeams] = useState<string[]>([]);
  const [revoked, setRevoked] = useState(false);
  const [error, setError] = useState<string>();
  const [secret, setSecret] = useState<{ title: string; value: string }>();
  const [acting, setActing] = useState<{ id: string; action: "revoke" | "rotate" }>();
  const fail = (err: unknown) => {
    onAuthError(err);
    setError(plainError(err));
  };
  /** A change's RPC: an Unauthenticated answer sends the user to the login; the caller shows the rest. */
  const guard = async <T,>(call: Promise<T>): Promise<T> => {
    try {
      return await call;
    } catch (err) {
      onAuthError(err);
      throw err;
    }
  };
  const load = () =>
    client.keys.listKeys({ includeRevoked: revoked }).then((r) => {
      setKeys(r.keys);
      setError(undefined);
    }, fail);
  useEffect(() => {
    void load();
  }, [client, revoked]);
  useEffect(() => {
    // Only for the team field's suggestions: a failure here changes nothing else.
    client.keys.listTeams({}).then((r) => setTeams(r.teams.map((t) => t.name)), () => undefined);
  }, [client]);

  const acted = keys?.find((k) => k.id === acting?.id);
  return (
    <section>
      <ErrorNote message={error} />
      {secret ? <SecretOnce title={secret.title} secret={secret.value} onDone={() => setSecret(undefined)} /> : null}
      {acted && acting ? (
        <KeyAction
          keyInfo={acted}
          action={acting.action}
          onClose={() => setActing(undefined)}
          onRevoke={async (id) => {
            await guard(client.keys.revokeKey({ id }));
            setActing(undefined);
            await load();
          }}
          onRotate={async (id, graceSeconds) => {
            const r = await guard(client.keys.rotateKey({ id, gracePeriod: { seconds: BigInt(graceSeconds) } }));
            setActing(undefined);
            setSecret({ title: `New secret of key ${r.key?.name ?? id}`, value: r.secret });
            await load();
          }}
        />
      ) : null}
      <div class="actions">
        <label class="check">
          <input type="checkbox" checked={revoked} onChange={(e) => setRevoked(e.currentTarget.checked)} />
          Show revoked keys
        </label>
        <button type="button" class="secondary" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      {keys?.length === 0 ? <p class="muted">No keys yet.</p> : null}
      <div class="table-scroll">
        <table data-testid="keys">
          <TableHead columns={["Name", "ID", "State", "Team", "Scopes", "Models", "Limits", "Budget", "Expires", "Last used", "Actions"]} />
          <tbody>
            {keys?.map((k) => (
              <tr key={k.id} data-key={k.name}>
                <td>{k.name}</td>
                <td class="mono">{k.id}</td>
                <td class={STATE[k.state].cls}>{STATE[k.state].text}</td>
                <td>{k.team || "—"}</td>
                <td>{k.scopes.join(", ")}</td>
                <td>{k.models.join(", ") || "all"}</td>
                <td>{limitsText(k)}</td>
                <td>{budgetText(k)}</td>
                <td>{when(k.expireTime)}</td>
                <td>{when(k.lastUsedTime)}</td>
                <td>
                  {k.source === KeySource.CONFIG ? (
                    <span class="muted">config file (read-only)</span>
                  ) : k.state === KeyState.REVOKED ? (
                    <span class="muted">revoked {when(k.revokeTime)}</span>
                  ) : (
                    <div class="row-actions">
                      <button type="button" class="secondary" aria-label={`Rotate ${k.name}`} onClick={() => setActing({ id: k.id, action: "rotate" })}>
                        Rotate
                      </button>
                      <button type="button" class="danger" aria-label={`Revoke ${k.name}`} onClick={() => setActing({ id: k.id, action: "revoke" })}>
                        Revoke
                      </button>
                    </div>
                  )}
                  {k.previousSecretExpireTime ? <div class="muted">old secret works until {when(k.previousSecretExpireTime)}</div> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <KeyForm
        teams={teams}
        onCreate={async (key) => {
          const r = await guard(client.keys.createKey({ key }));
          setSecret({ title: `Secret of the new key ${r.key?.name ?? ""}`, value: r.secret });
          await load();
        }}
      />
    </section>
  );
}
