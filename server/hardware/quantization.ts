/**
 * Weight formats: hoosh.v1.Quantization names, llama.cpp's effective bits per weight, and the
 * GGUF `general.file_type` (llama_ftype) numbers.
 *
 * Effective bits per weight are llama.cpp's own figures for whole files (block scales and the
 * tensors kept at higher precision included), e.g. Q4_K_M stores most weights in 4.5-bit blocks
 * but averages 4.85 over a Llama model.
 */
import { Quantization } from "../../gen/ts/hoosh/v1/hardware_pb.js";

export interface QuantInfo {
  readonly quant: Quantization;
  /** The name users type and llama.cpp prints: "Q4_K_M". */
  readonly name: string;
  readonly bitsPerWeight: number;
}

const TABLE: readonly QuantInfo[] = [
  { quant: Quantization.F32, name: "F32", bitsPerWeight: 32 },
  { quant: Quantization.F16, name: "F16", bitsPerWeight: 16 },
  { quant: Quantization.BF16, name: "BF16", bitsPerWeight: 16 },
  { quant: Quantization.Q8_0, name: "Q8_0", bitsPerWeight: 8.5 },
  { quant: Quantization.Q6_K, name: "Q6_K", bitsPerWeight: 6.56 },
  { quant: Quantization.Q5_K_M, name: "Q5_K_M", bitsPerWeight: 5.69 },
  { quant: Quantization.Q4_K_M, name: "Q4_K_M", bitsPerWeight: 4.85 },
  { quant: Quantization.Q4_0, name: "Q4_0", bitsPerWeight: 4.55 },
  { quant: Quantization.Q3_K_M, name: "Q3_K_M", bitsPerWeight: 3.91 },
  { quant: Quantization.Q2_K, name: "Q2_K", bitsPerWeight: 3.35 },
];

const BY_ENUM = new Map<Quantization, QuantInfo>(TABLE.map((q) => [q.quant, q]));

/** The order RecommendPlacement tries when no quantization is asked for: best quality first. */
export const RECOMMENDATION_LADDER: readonly Quantization[] = [
  Quantization.F16,
  Quantization.Q8_0,
  Quantization.Q6_K,
  Quantization.Q5_K_M,
  Quantization.Q4_K_M,
  Quantization.Q4_0,
  Quantization.Q3_K_M,
  Quantization.Q2_K,
];

/** Info for a known quantization, or undefined (UNSPECIFIED, or a number this build doesn't know). */
export function quantInfo(q: Quantization): QuantInfo | undefined {
  return BY_ENUM.get(q);
}

export function quantName(q: Quantization): string {
  return BY_ENUM.get(q)?.name ?? `Quantization(${q})`;
}

/** "F32, F16, BF16, Q8_0, ..." for error messages. */
export function allowedQuantNames(): string {
  return TABLE.map((q) => q.name).join(", ");
}

/** llama_ftype numbers as written in GGUF `general.file_type` (llama.h). Gaps are retired types. */
const FILE_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1",
  10: "Q2_K", 11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M",
  16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S",
  22: "IQ3_XS", 23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M",
  28: "IQ2_S", 29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16", 36: "TQ1_0",
  37: "TQ2_0", 38: "MXFP4_MOE", 39: "NVFP4", 40: "Q1_0",
};

/** "Q4_K_M" for 15; "file_type 99" for numbers llama.cpp doesn't (or no longer) define. */
export function fileTypeName(fileType: number): string {
  return FILE_TYPE_NAMES[fileType] ?? `file_type ${fileType}`;
}

/** The hoosh.v1 enum for a llama.cpp type name, UNSPECIFIED when the proto has no such value. */
export function quantFromName(name: string): Quantization {
  return TABLE.find((q) => q.name === name.toUpperCase())?.quant ?? Quantization.UNSPECIFIED;
}
