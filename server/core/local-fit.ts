// Router use of hardware placement: once hardware detection ends, each local
// (in-process) model is placed on this machine; a model that does not fit the
// free memory is excluded from routing, with the placement's reason visible in
// ModelsService (health_reason), grpc.health and the log.
import { PlacementKind, Quantization } from "../../gen/ts/hoosh/v1/hardware_pb.js";
import type { Hardware } from "../../gen/ts/hoosh/v1/hardware_pb.js";
import { inspectModelFile } from "../hardware/model-file.js";
import { recommendPlacement } from "../hardware/placement.js";
import type { LocalPlacements } from "./local-placements.js";
import type { ProviderHealth } from "./provider-health.js";

export interface LocalModel {
  provider: string;
  modelPath: string;
  contextSize: number;
  sequences: number;
}

export type FitLog = (level: "info" | "warn", msg: string, fields: Record<string, unknown>) => void;

/** Places every local model; returns the providers excluded. Never throws: a model it cannot read is left to the engine. */
export async function excludeUnfitLocalModels(
  models: LocalModel[],
  hardware: () => Promise<Hardware>,
  health: ProviderHealth,
  log: FitLog,
  placements?: LocalPlacements,
): Promise<string[]> {
  if (models.length === 0) return [];
  const hw = await hardware();
  const excluded: string[] = [];
  for (const m of models) {
    try {
      const file = await inspectModelFile(m.modelPath);
      if (!file.parameterCount) continue;
      // The file's own tensor bytes when they are plausible (at least 1 bit per parameter);
      // else (a metadata-only file) its parameter count at its quantization.
      const bytes = file.weightsBytes ?? 0;
      const fileWeights = bytes * 8 >= file.parameterCount ? { bytes, quantization: file.quantization, typeName: file.quantizationName ?? "unknown" } : undefined;
      const placement = recommendPlacement(
        {
          parameterCount: file.parameterCount,
          quantization: fileWeights ? Quantization.UNSPECIFIED : file.quantization,
          contextLength: m.contextSize,
          batchSize: m.sequences,
          shapeHints: file.shape,
          fileWeights,
        },
        hw,
      );
      placements?.set(m.provider, { modelPath: m.modelPath, placement });
      if (placement.kind === PlacementKind.DOES_NOT_FIT) {
        health.exclude(m.provider, `model does not fit this machine: ${placement.reason}`);
        log("warn", "local model skipped: does not fit", { provider: m.provider, reason: placement.reason });
        excluded.push(m.provider);
      } else {
        log("info", "local model placed", { provider: m.provider, placement: PlacementKind[placement.kind], reason: placement.reason });
      }
    } catch (err) {
      log("warn", "local model placement failed", { provider: m.provider, error: (err as Error).message });
    }
  }
  return excluded;
}
