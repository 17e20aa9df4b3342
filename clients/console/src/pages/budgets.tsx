// Budget pools as bars (used, reserved, limit, when the period resets) from BudgetService, spend
// over time and by group (spend.tsx), and a form to create a pool or change one's limit
// (CreatePool / UpdatePool: admin keys only).
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { useEffect, useState } from "preact/hooks";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { BudgetPeriod, type Pool, type PoolSchema } from "../../../../gen/ts/hoosh/v1/budget_pb.js";
import type { PageProps } from "../app.js";
import { plainError } from "../errors.js";
import { count, usd } from "../format.js";
import { Spend } from "./spend.js";
import { ErrorNote } from "../error-note.js";

const PERIODS: [string, BudgetPeriod][] = [
  ["none", BudgetPeriod.NONE],
  ["hourly", BudgetPeriod.HOURLY],
  ["daily", BudgetPeriod.DAILY],
  ["monthly", BudgetPeriod.MONTHLY],
];

export function Budgets({ client, onAuthError }: PageProps) {
  const [pools, setPools] = useState<Pool[]>();
  const [error, setError] = useState<string>();
  const [refresh, setRefresh] = useState(0);
  const fail = (err: unknown) => {
    onAuthError(err);
    setError(plainError(err));
  };
  const load = () =>
    client.budget.listPools({}).then((r) => {
      setRefresh((n) => n + 1);
      setPools(r.pools);
      setError(undefined);
    }, fail);
  useEffect(() => {
    void load();
  }, [client]);

  return (
    <section>
      <div class="actions">
        <button type="button" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      <ErrorNote message={error} />
      {pools?.length === 0 ? <p class="muted">No budget pools are configured.</p> : null}
      <ul class="pools">
        {pools?.map((p) => (
          <li key={p.name} data-pool={p.name}>
            <PoolBar pool={p} />
          </li>
        ))}
      </ul>
      <Spend client={client} onAuthError={onAuthError} refresh={refresh} />
      <PoolForm
        pools={pools ?? []}
        onSave={async (pool, isNew) => {
          try {
            if (isNew) await client.budget.createPool({ pool });
            else await client.budget.updatePool({ pool, updateMask: { paths: ["capacity_tokens", "period"] } });
            await load();
            return undefined;
          } catch (err) {
            onAuthError(err);
            return plainError(err);
          }
        }}
      />
    </section>
  );
}

function PoolBar({ pool: p }: { pool: Pool }) {
  const tokens = p.capacityTokens !== undefined;
  const limit = Number(tokens ? p.capacityTokens : (p.capacityUsdMicros ?? 0n));
  const used = Number(tokens ? p.usedTokens : p.usedUsdMicros);
  const reserved = Number(tokens ? p.reservedTokens : p.reservedUsdMicros);
  const show = (n: number) => (tokens ? `${count(n)} tokens` : usd(n));
  const share = (n: number) => `${limit > 0 ? Math.min(100, (n / limit) * 100) : 0}%`;
  const period = PERIODS.find(([, v]) => v === p.period)?.[0] ?? "none";
  return (
    <div class="pool">
      <div class="pool-head">
        <strong>{p.name}</strong>
        <span class="muted">
          {period === "none" ? "no reset" : `${period}, resets ${p.periodEnd ? timestampDate(p.periodEnd).toLocaleString() : "—"}`}
        </span>
      </div>
      <div class="bar" role="meter" aria-label={`${p.name} used`} aria-valuemin={0} aria-valuemax={limit} aria-valuenow={used}>
        <div class="bar-used" style={{ width: share(used) }} />
        <div class="bar-reserved" style={{ width: share(reserved) }} />
      </div>
      <div class="pool-figures" data-testid="pool-figures">
        used <span data-used={used}>{show(used)}</span> · reserved {show(reserved)} · limit {show(limit)}
      </div>
    </div>
  );
}

function PoolForm(props: { pools: Pool[]; onSave: (pool: MessageInitShape<typeof PoolSchema>, isNew: boolean) => Promise<string | undefined> }) {
  const [name, setName] = useState("");
  const [capacity, setCapacity] = useState("100000");
  const [period, setPeriod] = useState("daily");
  const [message, setMessage] = useState<string>();
  const isNew = !props.pools.some((p) => p.name === name);
  const save = async (e: Event) => {
    e.preventDefault();
    const tokens = Number(capacity);
    if (!name.trim()) return setMessage("Give the pool a name.");
    if (!Number.isSafeInteger(tokens) || tokens < 0) return setMessage(`Capacity must be a whole number of tokens ≥ 0, not "${capacity}".`);
    const wire = PERIODS.find(([n]) => n === period)?.[1] ?? BudgetPeriod.NONE;
    const err = await props.onSave({ name: name.trim(), capacityTokens: BigInt(tokens), period: wire }, isNew);
    setMessage(err ?? (isNew ? `Pool ${name} created.` : `Pool ${name} updated.`));
  };
  return (
    <form class="pool-form" onSubmit={save}>
      <h2>{isNew ? "Create a pool" : `Edit pool ${name}`}</h2>
      <label for="pool-name">Name (an existing name edits that pool)</label>
      <input id="pool-name" list="pool-names" value={name} onInput={(e) => setName(e.currentTarget.value)} />
      <datalist id="pool-names">
        {props.pools.map((p) => (
          <option key={p.name} value={p.name} />
        ))}
      </datalist>
      <label for="pool-capacity">Capacity (tokens per period)</label>
      <input id="pool-capacity" inputMode="numeric" value={capacity} onInput={(e) => setCapacity(e.currentTarget.value)} />
      <label for="pool-period">Period</label>
      <select id="pool-period" value={period} onChange={(e) => setPeriod(e.currentTarget.value)}>
        {PERIODS.map(([n]) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
      <div class="actions">
        <button type="submit">{isNew ? "Create" : "Save"}</button>
      </div>
      {message ? <p role="status">{message}</p> : null}
    </form>
  );
}
