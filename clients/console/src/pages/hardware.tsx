// The machine hoosh runs on (HardwareService.GetHardware), where a model would go on it
// (placement.tsx) and the response cache (InferenceService.GetCacheStats).
import { useEffect, useState } from "preact/hooks";
import { AcceleratorKind, type Hardware as HardwareInfo } from "../../../../gen/ts/hoosh/v1/hardware_pb.js";
import type { GetCacheStatsResponse } from "../../../../gen/ts/hoosh/v1/inference_pb.js";
import type { PageProps } from "../app.js";
import { plainError } from "../errors.js";
import { bytes, count, percent } from "../format.js";
import { Placement } from "./placement.js";

export function Hardware({ client, onAuthError }: PageProps) {
  const [hw, setHw] = useState<HardwareInfo>();
  const [cache, setCache] = useState<GetCacheStatsResponse>();
  const [errors, setErrors] = useState<string[]>([]);
  const fail = (what: string) => (err: unknown) => {
    onAuthError(err);
    setErrors((e) => [...e, `${what}: ${plainError(err)}`]);
  };
  useEffect(() => {
    client.hardware.getHardware({}).then((r) => setHw(r.hardware), fail("Hardware"));
    client.inference.getCacheStats({}).then(setCache, fail("Cache"));
  }, [client]);

  const lookups = cache ? Number(cache.hits + cache.misses) : 0;
  return (
    <section>
      {errors.map((e) => (
        <p key={e} class="error" role="alert">
          {e}
        </p>
      ))}
      <h2>Machine</h2>
      {hw ? (
        <dl class="facts" data-testid="hardware">
          <dt>CPU</dt>
          <dd>
            {hw.cpu?.model || "—"} ({hw.cpu?.architecture}, {hw.cpu?.physicalCores} cores, {hw.cpu?.logicalCores} threads)
          </dd>
          <dt>Memory</dt>
          <dd>
            {bytes(hw.memory?.freeBytes ?? 0n)} free of {bytes(hw.memory?.totalBytes ?? 0n)}
          </dd>
          <dt>Accelerators</dt>
          <dd>
            {hw.accelerators.length === 0
              ? "none found"
              : hw.accelerators.map((a) => `${a.name} (${AcceleratorKind[a.kind]?.toLowerCase()}, ${bytes(a.vramFreeBytes)} free of ${bytes(a.vramTotalBytes)})`).join("; ")}
          </dd>
          <dt>Detection</dt>
          <dd>{hw.detectionComplete ? "complete" : "still running (figures from node:os so far)"}</dd>
        </dl>
      ) : null}
      <Placement client={client} onAuthError={onAuthError} />
      <h2>Response cache</h2>
      {cache ? (
        <dl class="facts" data-testid="cache">
          <dt>Hit rate</dt>
          <dd>{lookups === 0 ? "no lookups yet" : percent(Number(cache.hits) / lookups)}</dd>
          <dt>Hits / misses / shared in flight</dt>
          <dd>
            {count(cache.hits)} / {count(cache.misses)} / {count(cache.coalesced)}
          </dd>
          <dt>Entries</dt>
          <dd>{count(cache.entries)}</dd>
          <dt>Size</dt>
          <dd>
            {bytes(cache.bytes)} of {bytes(cache.maxBytes)} ({count(cache.evictions)} evicted)
          </dd>
        </dl>
      ) : null}
    </section>
  );
}
