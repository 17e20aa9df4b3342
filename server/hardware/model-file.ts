/**
 * inspectModelFile: what RecommendPlacement needs from a model file on disk: format, parameter
 * count, quantization, tensor bytes and shape. Reads only the first 64 KiB plus the metadata
 * (GGUF key/values and tensor infos, or the safetensors JSON header), never the weights.
 */
import { open, stat } from "node:fs/promises";

import { Quantization } from "../../gen/ts/hoosh/v1/hardware_pb.js";
import { ModelFileError, invalidModel } from "./errors.js";
import { detectModelFormat } from "./format.js";
import type { ModelFormat } from "./format.js";
import { readGguf } from "./gguf.js";
import { quantFromName } from "./quantization.js";
import type { ShapeHints } from "./shapes.js";

const HEAD_BYTES = 64 * 1024;

export interface ModelFileInfo {
  readonly path: string;
  readonly format: ModelFormat;
  readonly details: Readonly<Record<string, string | number | boolean>>;
  readonly sizeBytes: number;
  /** Undefined for formats whose header doesn't say (ONNX, PyTorch, pickle). */
  readonly parameterCount?: number | undefined;
  readonly quantization: Quantization;
  readonly quantizationName?: string | undefined;
  /** Bytes of tensor data in the file. */
  readonly weightsBytes?: number | undefined;
  readonly shape?: ShapeHints | undefined;
  readonly architecture?: string | undefined;
  readonly contextLength?: number | undefined;
  readonly hasChatTemplate?: boolean | undefined;
}

export async function inspectModelFile(path: string): Promise<ModelFileInfo> {
  let size: number;
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw invalidModel("is a directory, not a model file");
    if (!st.isFile()) throw invalidModel("is not a regular file");
    size = st.size;
  } catch (err) {
    throw fsError(err);
  }
  let fh;
  try {
    fh = await open(path, "r");
  } catch (err) {
    throw fsError(err);
  }
  try {
    const head = Buffer.alloc(Math.min(HEAD_BYTES, size));
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const detected = detectModelFormat(head.subarray(0, bytesRead), size);
    const base = { path, format: detected.format, details: detected.details, sizeBytes: size };
    if (detected.format === "gguf") {
      const g = await readGguf(fh, size);
      return {
        ...base,
        parameterCount: g.parameterCount,
        quantization: g.quantization,
        quantizationName: g.quantizationName,
        weightsBytes: g.tensorDataBytes,
        shape: {
          layers: g.blockCount,
          hidden: g.embeddingLength,
          heads: g.headCount,
          kvHeads: g.headCountKv,
          keyLength: g.keyLength,
          valueLength: g.valueLength,
        },
        architecture: g.architecture,
        contextLength: g.contextLength,
        hasChatTemplate: g.hasChatTemplate,
      };
    }
    if (detected.format === "safetensors") {
      const n = Number(detected.details.headerBytes);
      const json = Buffer.alloc(n);
      const { bytesRead: got } = await fh.read(json, 0, n, 8);
      if (got !== n) throw invalidModel(`truncated safetensors header: ${got} of ${n} bytes`);
      return { ...base, ...summariseSafetensors(json.toString("utf8"), size - 8 - n) };
    }
    return { ...base, quantization: Quantization.UNSPECIFIED };
  } catch (err) {
    throw fsError(err);
  } finally {
    await fh.close();
  }
}

function summariseSafetensors(text: string, dataBytes: number): Partial<ModelFileInfo> & { quantization: Quantization } {
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (err) {
    throw invalidModel(`safetensors header is not valid JSON (${(err as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) throw invalidModel("safetensors header is not a JSON object");
  let parameters = 0;
  const byDtype = new Map<string, number>();
  for (const [name, t] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const shape = (t as { shape?: unknown })?.shape;
    const dtype = (t as { dtype?: unknown })?.dtype;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0) || typeof dtype !== "string") {
      throw invalidModel(`safetensors tensor "${name}" lacks a valid dtype and shape`);
    }
    const elements = shape.reduce((a: number, d: number) => a * d, 1);
    parameters += elements;
    byDtype.set(dtype, (byDtype.get(dtype) ?? 0) + elements);
  }
  let dominant: string | undefined;
  for (const [d, n] of byDtype) if (dominant === undefined || n > byDtype.get(dominant)!) dominant = d;
  return {
    parameterCount: parameters,
    quantization: dominant ? quantFromName(dominant) : Quantization.UNSPECIFIED,
    quantizationName: dominant,
    weightsBytes: dataBytes,
  };
}

function fsError(err: unknown): Error {
  if (err instanceof ModelFileError) return err;
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === "ENOENT" || code === "ENOTDIR") return new ModelFileError("not_found", "no such file");
  if (code === "EACCES" || code === "EPERM") return invalidModel("cannot be read: permission denied");
  if (code === "EISDIR") return invalidModel("is a directory, not a model file");
  if (typeof code === "string") return invalidModel(`cannot be read (${code})`);
  return err instanceof Error ? err : new Error(String(err));
}
