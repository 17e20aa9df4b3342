/**
 * hoosh.v1.HardwareService: proto in, proto out. Validation and error mapping live here; detection
 * is server/hardware/detect.ts and the placement rules server/hardware/placement.ts.
 */
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";

import { GetHardwareResponseSchema, HardwareService, Quantization } from "../../gen/ts/hoosh/v1/hardware_pb.js";
import type {
  GetHardwareRequest,
  GetHardwareResponse,
  Hardware,
  RecommendPlacementRequest,
  RecommendPlacementResponse,
} from "../../gen/ts/hoosh/v1/hardware_pb.js";
import { ModelFileError } from "../hardware/errors.js";
import { managedModelFile, type ManagedModels } from "../hardware/managed-models.js";
import type { ModelFormat } from "../hardware/format.js";
import { inspectModelFile } from "../hardware/model-file.js";
import type { ModelFileInfo } from "../hardware/model-file.js";
import { recommendPlacement } from "../hardware/placement.js";
import type { FileWeights, PlacementInput } from "../hardware/placement.js";
import { allowedQuantNames, quantInfo } from "../hardware/quantization.js";

export const MAX_PARAMETER_COUNT = 10_000_000_000_000n; // 10T
export const MAX_BATCH_SIZE = 1024;
export const MAX_CONTEXT_LENGTH = 16_777_216; // 16Mi tokens
const DEFAULT_CONTEXT_LENGTH = 4096;
const FORMAT_NAMES: Record<ModelFormat, string> = {
  gguf: "a GGUF",
  safetensors: "a safetensors",
  onnx: "an ONNX",
  "pytorch-zip": "a PyTorch zip",
  pickle: "a pickle",
};
/** RecommendPlacement re-reads free memory when the last reading is older than this. */
const PLACEMENT_FRESHNESS_MS = 5000;

/** What the service needs from a HardwareDetector. */
export interface HardwareSource {
  /** Starts detection in the background if it has not started (idempotent). */
  start(): void;
  snapshot(): Hardware;
  whenDetected(): Promise<Hardware>;
  refresh(options?: { maxAgeMs?: number }): Promise<Hardware>;
}

/**
 * Which files model_path may name: without the admin scope only managed ones (managed-models.ts);
 * `isAdmin` says whether the caller has it (true when auth is off only if the operator said so).
 */
export interface ModelFileAccess {
  models: ManagedModels;
  isAdmin(ctx: HandlerContext): boolean;
}

export function createHardwareService(detector: HardwareSource, access: ModelFileAccess): ServiceImpl<typeof HardwareService> {
  return {
    async getHardware(req: GetHardwareRequest): Promise<GetHardwareResponse> {
      detector.start();
      const hardware = req.refresh ? await detector.refresh() : detector.snapshot();
      return create(GetHardwareResponseSchema, { hardware });
    },

    async recommendPlacement(req: RecommendPlacementRequest, ctx: HandlerContext): Promise<RecommendPlacementResponse> {
      const file = req.modelPath === "" || access.isAdmin(ctx) ? req.modelPath : managedModelFile(access.models, req.modelPath);
      const input = await placementInput(req, file);
      if (!detector.snapshot().detectionComplete) await detector.whenDetected();
      const hardware = await detector.refresh({ maxAgeMs: PLACEMENT_FRESHNESS_MS });
      return recommendPlacement(input, hardware);
    },
  };
}

function invalid(message: string): ConnectError {
  return new ConnectError(message, Code.InvalidArgument);
}

async function placementInput(req: RecommendPlacementRequest, path: string): Promise<PlacementInput> {
  if (req.quantization !== Quantization.UNSPECIFIED && !quantInfo(req.quantization)) {
    throw invalid(`quantization ${req.quantization} is not a known value: allowed ${allowedQuantNames()}, or unset to recommend one`);
  }
  if (req.batchSize > MAX_BATCH_SIZE) {
    throw invalid(`batch_size ${req.batchSize} is too large: allowed 1..${MAX_BATCH_SIZE} (0 means 1)`);
  }
  if (req.contextLength > MAX_CONTEXT_LENGTH) {
    throw invalid(`context_length ${req.contextLength} is too large: allowed 1..${MAX_CONTEXT_LENGTH} (0 means ${DEFAULT_CONTEXT_LENGTH})`);
  }
  if (req.parameterCount > MAX_PARAMETER_COUNT) {
    throw invalid(`parameter_count ${req.parameterCount} is out of range: allowed 1..${MAX_PARAMETER_COUNT} (10T)`);
  }
  if (req.parameterCount === 0n && req.modelPath === "") {
    throw invalid(
      `parameter_count or model_path is required: give parameter_count (1..${MAX_PARAMETER_COUNT}) or model_path (a GGUF or safetensors file on the server)`,
    );
  }
  const file = path === "" ? undefined : await inspect(req.modelPath, path);
  let parameterCount = Number(req.parameterCount);
  let fileWeights: FileWeights | undefined;
  if (file && parameterCount === 0) {
    if (!file.parameterCount) {
      throw invalid(`model_path "${req.modelPath}": ${FORMAT_NAMES[file.format]} file does not record its parameter count; give parameter_count as well`);
    }
    if (file.parameterCount > Number(MAX_PARAMETER_COUNT)) {
      throw invalid(`model_path "${req.modelPath}": its parameter count ${file.parameterCount} is out of range (at most 10T)`);
    }
    parameterCount = file.parameterCount;
    if (file.weightsBytes !== undefined) {
      fileWeights = { bytes: file.weightsBytes, quantization: file.quantization, typeName: file.quantizationName ?? "unknown" };
    }
  }
  return {
    parameterCount,
    quantization: req.quantization,
    contextLength: req.contextLength || DEFAULT_CONTEXT_LENGTH,
    batchSize: req.batchSize || 1,
    shapeHints: file?.shape,
    fileWeights,
  };
}

/** `named` is what the caller wrote (errors say that), `path` the file opened. */
async function inspect(named: string, path: string): Promise<ModelFileInfo> {
  try {
    return await inspectModelFile(path);
  } catch (err) {
    if (err instanceof ModelFileError) {
      if (err.problem === "not_found") throw new ConnectError(`model_path "${named}": no such file on the server`, Code.NotFound);
      throw invalid(`model_path "${named}": ${err.message}`);
    }
    throw err;
  }
}
