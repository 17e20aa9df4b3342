/**
 * GGUF tensor infos, read only when the metadata lacks general.parameter_count or
 * general.file_type: each is (string name, u32 n_dims, u64 dims[n_dims], u32 ggml type,
 * u64 offset). Gives the parameter count (sum of element counts) and the dominant tensor type.
 */
import type { BoundedReader } from "./file-reader.js";

const MAX_DIMS = 8; // ggml has 4; anything past 8 is corruption

/** ggml_type numbers (ggml.h) for naming the dominant tensor type. */
const GGML_TYPES: Readonly<Record<number, string>> = {
  0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 6: "Q5_0", 7: "Q5_1", 8: "Q8_0", 9: "Q8_1",
  10: "Q2_K", 11: "Q3_K", 12: "Q4_K", 13: "Q5_K", 14: "Q6_K", 15: "Q8_K", 16: "IQ2_XXS",
  17: "IQ2_XS", 18: "IQ3_XXS", 19: "IQ1_S", 20: "IQ4_NL", 21: "IQ3_S", 22: "IQ2_S", 23: "IQ4_XS",
  24: "I8", 25: "I16", 26: "I32", 27: "I64", 28: "F64", 29: "IQ1_M", 30: "BF16", 34: "TQ1_0",
  35: "TQ2_0", 39: "MXFP4",
};

export async function readTensorInfos(r: BoundedReader, count: number): Promise<{ parameters: number; dominantType?: string }> {
  let parameters = 0;
  const elementsByType = new Map<number, number>();
  for (let i = 0; i < count; i++) {
    if (!r.has(8)) await r.ensure(8, `name length of tensor ${i}`);
    r.skip(r.length(`name length of tensor ${i}`, Math.max(0, r.remaining - 8)), `name of tensor ${i}`);
    await r.ensure(4, `dimension count of tensor ${i}`);
    const nDims = r.u32();
    if (nDims > MAX_DIMS) throw r.fail(`tensor ${i} claims ${nDims} dimensions (at most ${MAX_DIMS})`);
    await r.ensure(nDims * 8 + 12, `shape of tensor ${i}`);
    let elements = 1;
    for (let d = 0; d < nDims; d++) elements *= Number(r.u64());
    const type = r.u32();
    r.u64(); // offset within the data section
    if (!Number.isFinite(elements) || elements > 2 ** 53) throw r.fail(`tensor ${i} has an impossible element count`);
    parameters += elements;
    elementsByType.set(type, (elementsByType.get(type) ?? 0) + elements);
  }
  let dominant: number | undefined;
  for (const [type, n] of elementsByType) if (dominant === undefined || n > elementsByType.get(dominant)!) dominant = type;
  return dominant === undefined ? { parameters } : { parameters, dominantType: GGML_TYPES[dominant] ?? `ggml type ${dominant}` };
}
