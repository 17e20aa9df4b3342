// Parts of a provider on the Providers page: its latest errors (kept by hoosh, beyond the health
// reason) and, for a local model, where it was placed and the memory it needs.
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { LocalPlacement, ProviderError } from "../../../../gen/ts/hoosh/v1/admin_pb.js";
import { bytes } from "../format.js";
import { TableHead } from "../table-head.js";
import { PLACEMENT_KINDS } from "./placement.js";

export function RecentErrorList({ errors }: { errors: ProviderError[] }) {
  if (errors.length === 0) return <p class="muted" data-testid="recent-errors">No recent errors.</p>;
  return (
    <table data-testid="recent-errors">
      <caption>Recent errors, newest first</caption>
      <TableHead columns={["When", "Code", "Model", "Message"]} />
      <tbody>
        {errors.map((e, i) => (
          <tr key={i}>
            <td>{e.time ? timestampDate(e.time).toLocaleTimeString() : "—"}</td>
            <td>{e.code}</td>
            <td>{e.model || "—"}</td>
            <td>{e.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function LocalPlacementFacts({ placed }: { placed: LocalPlacement }) {
  const p = placed.placement;
  return (
    <dl class="facts" data-testid="local-placement">
      <dt>Model file</dt>
      <dd>{placed.modelPath}</dd>
      <dt>Placement</dt>
      <dd>{p ? (PLACEMENT_KINDS[p.kind] ?? "—") : "—"}</dd>
      <dt>Memory</dt>
      <dd>{p?.estimate ? `${bytes(p.estimate.totalBytes)} (weights ${bytes(p.estimate.weightsBytes)}, KV cache ${bytes(p.estimate.kvCacheBytes)})` : "—"}</dd>
      {p?.reason ? (
        <>
          <dt>Why</dt>
          <dd>{p.reason}</dd>
        </>
      ) : null}
    </dl>
  );
}
