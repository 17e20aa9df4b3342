// Where a model would run on this machine (HardwareService.RecommendPlacement): for a model file on
// the server's disk (GGUF, safetensors) or a parameter count, with the memory it needs.
import { useState } from "preact/hooks";
import { PlacementKind, Quantization, type RecommendPlacementResponse } from "../../../../gen/ts/hoosh/v1/hardware_pb.js";
import type { PageProps } from "../app.js";
import { plainError } from "../errors.js";
import { bytes } from "../format.js";
import { ErrorNote } from "../error-note.js";

export const PLACEMENT_KINDS: Partial<Record<PlacementKind, string>> = {
  [PlacementKind.FULL_GPU]: "all on the GPU",
  [PlacementKind.GPU_CPU_SPLIT]: "split between GPU and CPU",
  [PlacementKind.CPU_ONLY]: "CPU only",
  [PlacementKind.DOES_NOT_FIT]: "does not fit",
};

export function Placement({ client, onAuthError }: PageProps) {
  const [path, setPath] = useState("");
  const [billions, setBillions] = useState("");
  const [result, setResult] = useState<RecommendPlacementResponse>();
  const [error, setError] = useState<string>();
  const ask = async (e: Event) => {
    e.preventDefault();
    setResult(undefined);
    const b = Number(billions);
    if (!path.trim() && !(b > 0)) return setError("Give a model file path, or a parameter count in billions (e.g. 7).");
    setError(undefined);
    try {
      setResult(await client.hardware.recommendPlacement(path.trim() ? { modelPath: path.trim() } : { parameterCount: BigInt(Math.round(b * 1e9)) }));
    } catch (err) {
      onAuthError(err);
      setError(plainError(err));
    }
  };
  return (
    <form class="placement" onSubmit={ask}>
      <h2>Placement for a model</h2>
      <label for="placement-path">Model file on the server (GGUF or safetensors)</label>
      <input id="placement-path" value={path} onInput={(e) => setPath(e.currentTarget.value)} placeholder="/models/model.gguf" />
      <label for="placement-params">or parameters (billions)</label>
      <input id="placement-params" inputMode="decimal" value={billions} onInput={(e) => setBillions(e.currentTarget.value)} placeholder="7" />
      <div class="actions">
        <button type="submit">Recommend</button>
      </div>
      <ErrorNote message={error} />
      {result ? (
        <dl class="facts" data-testid="placement">
          <dt>Placement</dt>
          <dd>{PLACEMENT_KINDS[result.kind] ?? "—"}</dd>
          <dt>Quantization</dt>
          <dd>{Quantization[result.quantization] ?? "—"}</dd>
          <dt>GPU layers</dt>
          <dd>
            {result.gpuLayers} of {result.totalLayers}
          </dd>
          <dt>Memory</dt>
          <dd>{result.estimate ? `${bytes(result.estimate.totalBytes)} (weights ${bytes(result.estimate.weightsBytes)}, KV cache ${bytes(result.estimate.kvCacheBytes)})` : "—"}</dd>
          <dt>Why</dt>
          <dd>{result.reason}</dd>
        </dl>
      ) : null}
    </form>
  );
}
