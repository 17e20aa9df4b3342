// The request log (RequestLogService, admin scope): new requests as they end (TailRequests, a
// server stream), earlier ones a page at a time (ListRequests: one RPC per page, never per row),
// both with the same filters; a request's detail, and "Open in playground".
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { useEffect, useRef, useState } from "preact/hooks";
import type { RequestRecord } from "../../../../gen/ts/hoosh/v1/requests_pb.js";
import type { PageProps } from "../app.js";
import { ErrorNote } from "../error-note.js";
import { plainError } from "../errors.js";
import { count, ms, usd } from "../format.js";
import { TableHead } from "../table-head.js";
import { tailRequests, type RequestFilter } from "../tail.js";
import { RequestDetail } from "./request-detail.js";

const PAGE = 50;
/** Rows kept in the table; beyond this the oldest live rows are dropped ("Load older" fetches pages). */
const MAX_ROWS = 2000;
const EMPTY: RequestFilter = { keyId: "", team: "", model: "", provider: "", status: "" };
const STATUSES = ["OK", "error", "INVALID_ARGUMENT", "UNAUTHENTICATED", "PERMISSION_DENIED", "NOT_FOUND", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "CANCELLED", "DEADLINE_EXCEEDED", "UNAVAILABLE", "INTERNAL", "UNKNOWN", "UNIMPLEMENTED", "ABORTED", "ALREADY_EXISTS", "OUT_OF_RANGE", "DATA_LOSS"];

const at = (r: RequestRecord) => (r.time ? timestampMs(r.time) : 0);
const idOf = (r: RequestRecord) => r.requestId || `${at(r)}/${r.model}`;

/** Both lists newest first, each request once. */
function merge(a: readonly RequestRecord[], b: readonly RequestRecord[]): RequestRecord[] {
  const byId = new Map<string, RequestRecord>();
  for (const r of [...a, ...b]) if (!byId.has(idOf(r))) byId.set(idOf(r), r);
  return [...byId.values()].sort((x, y) => at(y) - at(x)).slice(0, MAX_ROWS);
}

type Live = "connecting" | "on" | "paused" | "off";

export function Requests({ client, onAuthError }: PageProps) {
  const [draft, setDraft] = useState<RequestFilter>(EMPTY);
  const [filter, setFilter] = useState<RequestFilter>(EMPTY);
  const [records, setRecords] = useState<RequestRecord[]>([]);
  const [next, setNext] = useState("");
  /** Until the first page of the current filters has arrived. */
  const [loading, setLoading] = useState(true);
  const [live, setLive] = useState<Live>("connecting");
  const [paused, setPaused] = useState(false);
  const [selected, setSelected] = useState<string>();
  const [error, setError] = useState<string>();
  const [keyIds, setKeyIds] = useState<{ id: string; name: string }[]>([]);

  const fail = (err: unknown) => {
    onAuthError(err);
    setError(plainError(err));
  };
  // Bumped on every filter change: a page that answers after it belongs to the old filters.
  const generation = useRef(0);
  const page = (token: string) => {
    const asked = generation.current;
    return client.requests.listRequests({ ...filter, pageSize: PAGE, pageToken: token }).then((r) => {
      if (asked !== generation.current) return;
      setRecords((rs) => merge(rs, r.records));
      setLoading(false);
      // The first page's token stays if older pages were already loaded.
      setNext((n) => (token === "" && n !== "" ? n : r.nextPageToken));
      setError(undefined);
    }, fail);
  };

  // On every filter (and on resume): the first page once the tail listens, so a request that ends
  // in between is in one or the other.
  useEffect(() => {
    generation.current++;
    setRecords([]);
    setNext("");
    setLoading(true);
    if (paused) {
      setLive("paused");
      void page("");
      return undefined;
    }
    setLive("connecting");
    return tailRequests(client, filter, {
      onRecord: (r) => setRecords((rs) => merge([r], rs)),
      onLive: (listening) => {
        setLive(listening ? "on" : "off");
        if (listening) void page("");
      },
      onError: fail,
    });
  }, [client, filter, paused]);

  useEffect(() => {
    // Suggestions for the key filter only: without them the field still takes any id.
    client.keys.listKeys({ includeRevoked: true }).then((r) => setKeyIds(r.keys.map((k) => ({ id: k.id, name: k.name }))), () => undefined);
  }, [client]);

  const field = (id: keyof RequestFilter, label: string, list?: string) => (
    <div class="field">
      <label for={`rf-${id}`}>{label}</label>
      <input id={`rf-${id}`} list={list} value={draft[id]} onInput={(e) => setDraft({ ...draft, [id]: e.currentTarget.value })} />
    </div>
  );
  const chosen = records.find((r) => idOf(r) === selected);

  return (
    <section>
      <form
        class="filters"
        aria-label="Filters"
        onSubmit={(e) => {
          e.preventDefault();
          setSelected(undefined);
          setFilter({ keyId: draft.keyId.trim(), team: draft.team.trim(), model: draft.model.trim(), provider: draft.provider.trim(), status: draft.status });
        }}
      >
        <div class="row">
          {field("keyId", "Key id", "rf-keys")}
          {field("model", "Model")}
          {field("provider", "Provider")}
          {field("team", "Team")}
          <div class="field">
            <label for="rf-status">Status</label>
            <select id="rf-status" value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.currentTarget.value })}>
              <option value="">any</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s === "error" ? "any failure" : s}
                </option>
              ))}
            </select>
          </div>
        </div>
        <datalist id="rf-keys">
          {keyIds.map((k) => (
            <option key={k.id} value={k.id} label={k.name} />
          ))}
        </datalist>
        <div class="actions">
          <button type="submit">Apply filters</button>
          <button
            type="button"
            class="secondary"
            onClick={() => {
              setDraft(EMPTY);
              setFilter(EMPTY);
            }}
          >
            Clear
          </button>
          <button type="button" class="secondary" onClick={() => setPaused(!paused)}>
            {paused ? "Resume live" : "Pause live"}
          </button>
          <span class={`live ${live}`} data-testid="live" data-state={live} role="status">
            {live === "on" ? "● live" : live === "connecting" ? "connecting…" : live === "paused" ? "paused" : "not live"}
          </span>
        </div>
      </form>
      <ErrorNote message={error} />
      {chosen ? <RequestDetail record={chosen} onClose={() => setSelected(undefined)} /> : null}
      {records.length === 0 && !loading ? <p class="muted">No requests {Object.values(filter).some((v) => v !== "") ? "match these filters" : "yet"}.</p> : null}
      <div class="table-scroll">
        <table data-testid="requests" aria-busy={loading}>
          <TableHead columns={["Time", "Status", "Model", "Provider", "Key", "Edge", "Tokens in / out", "Latency", "Cost"]} />
          <tbody>
            {records.map((r) => (
              <tr key={idOf(r)} data-request={r.requestId} aria-selected={idOf(r) === selected}>
                <td>
                  <button type="button" class="link" aria-label={`Details of request ${r.requestId}`} onClick={() => setSelected(idOf(r))}>
                    {new Date(at(r)).toLocaleTimeString()}
                  </button>
                </td>
                <td class={r.status === "OK" ? "ok" : "bad"}>{r.status}</td>
                <td>{r.model}</td>
                <td>{r.provider || "—"}</td>
                <td>{r.keyId || "—"}</td>
                <td>{r.edge}</td>
                <td>
                  {count(r.inputTokens)} / {count(r.outputTokens)}
                </td>
                <td>{ms(r.latencyMs)}</td>
                <td>{usd(r.costUsdMicros)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {next ? (
        <div class="actions">
          <button type="button" class="secondary" onClick={() => void page(next)}>
            Load older
          </button>
        </div>
      ) : null}
    </section>
  );
}
