// Each provider with its models (ModelsService.ListModels) and its health, breaker, recent errors
// and, for a local model, its placement and memory (the first message of AdminService.WatchStats).
import { useEffect, useState } from "preact/hooks";
import type { ProviderStatus } from "../../../../gen/ts/hoosh/v1/admin_pb.js";
import { Capability, Locality, type Model } from "../../../../gen/ts/hoosh/v1/models_pb.js";
import type { PageProps } from "../app.js";
import { plainError } from "../errors.js";
import { count } from "../format.js";
import { breakerWord, healthWord } from "../labels.js";
import { TableHead } from "../table-head.js";
import { ErrorNote } from "../error-note.js";
import { LocalPlacementFacts, RecentErrorList } from "./provider-details.js";

export function Providers({ client, onAuthError }: PageProps) {
  const [models, setModels] = useState<Model[]>();
  const [status, setStatus] = useState<ProviderStatus[]>([]);
  const [error, setError] = useState<string>();

  useEffect(() => {
    const fail = (err: unknown) => {
      onAuthError(err);
      setError(plainError(err));
    };
    client.models.listModels({}).then((r) => setModels(r.models), fail);
    // One snapshot is enough here; stop the stream after it.
    const controller = new AbortController();
    void (async () => {
      try {
        for await (const s of client.admin.watchStats({}, { signal: controller.signal })) {
          setStatus(s.providers);
          break;
        }
      } catch (err) {
        // A key without budgets:read still sees the models: only the breaker column stays empty.
        if (!controller.signal.aborted) setError(plainError(err));
      }
    })();
    return () => controller.abort();
  }, [client]);

  const byProvider = new Map<string, Model[]>();
  for (const m of models ?? []) byProvider.set(m.provider, [...(byProvider.get(m.provider) ?? []), m]);
  for (const s of status) if (!byProvider.has(s.name)) byProvider.set(s.name, []);

  return (
    <section>
      <ErrorNote message={error} />
      {[...byProvider].map(([name, list]) => {
        const s = status.find((p) => p.name === name);
        const b = s ? breakerWord(s.breaker) : undefined;
        const h = s ? healthWord(s.health) : undefined;
        return (
          <article key={name} class="provider" data-provider={name}>
            <h2>
              {name} <span class="muted">{s?.type ?? list[0]?.providerType}</span>
            </h2>
            <p>
              Health: <span class={h?.cls}>{h?.text ?? "—"}</span> · Breaker: <span class={b?.cls}>{b?.text ?? "—"}</span>
              {s?.reason ? <> · {s.reason}</> : null}
            </p>
            <table>
              <TableHead columns={["Model", "Where", "Context", "Can", "Health"]} />
              <tbody>
                {list.map((m) => (
                  <tr key={m.id}>
                    <td>{m.id}</td>
                    <td>{m.locality === Locality.LOCAL ? "local" : m.locality === Locality.REMOTE ? "remote" : "—"}</td>
                    <td>{m.contextWindow ? count(m.contextWindow) : "—"}</td>
                    <td>{m.capabilities.map((c) => Capability[c]?.toLowerCase()).join(", ")}</td>
                    <td class={healthWord(m.health).cls}>{healthWord(m.health).text}{m.healthReason ? `: ${m.healthReason}` : ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {s?.localPlacement ? <LocalPlacementFacts placed={s.localPlacement} /> : null}
            {s ? <RecentErrorList errors={s.recentErrors} /> : null}
          </article>
        );
      })}
    </section>
  );
}
