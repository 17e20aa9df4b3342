/**
 * Memory estimate and placement for RecommendPlacement.
 *
 * Memory a model needs (bytes):
 *   weights  = parameters × bits_per_weight(quantization) / 8
 *              bits per weight are llama.cpp's effective figures (quantization.ts): F32 32,
 *              F16/BF16 16, Q8_0 8.5, Q6_K 6.56, Q5_K_M 5.69, Q4_K_M 4.85, Q4_0 4.55,
 *              Q3_K_M 3.91, Q2_K 3.35. For a model file placed as it is (no quantization asked
 *              for), weights = the file's tensor data size instead.
 *   kv cache = 2 (K and V) × layers × context × kv_dim × batch × 2 bytes (F16 cache)
 *              kv_dim = kv_heads × head_dim; layers, heads and kv heads come from GGUF metadata
 *              when given, else from the typical-architecture table in shapes.ts.
 *   overhead = 300 MiB fixed runtime (CUDA/Metal context, scratch, tokenizer)
 *              + compute buffer = context × batch × 512 × heads × 4 bytes: llama.cpp's f32
 *              attention-score buffer for one 512-token micro-batch (its default n_ubatch)
 *              without flash attention, the largest part of its compute buffer. An upper bound:
 *              with flash attention the buffer is much smaller.
 *   total    = weights + kv cache + overhead
 *
 * Where it goes (accelerators of kind CUDA, ROCm, Metal or Vulkan; never mixing kinds):
 *   usable VRAM of a device = free VRAM − max(512 MiB, 5 % of its total VRAM)   (safety margin)
 *   usable RAM              = free RAM × 0.9                                      (10 % headroom)
 *   per layer               = (weights + kv cache) / layers
 *   layers a device holds   = floor((usable VRAM − overhead) / per layer)   (each device in use
 *                             reserves its own runtime and compute buffer)
 *   FULL_GPU       total ≤ usable VRAM of one device (the one with most free VRAM), or, failing
 *                  that, the layers fit spread over several devices of the same kind;
 *   GPU_CPU_SPLIT  at least one layer fits on the device(s) and the rest, (layers − gpu_layers)
 *                  × per layer + overhead, fits in usable RAM;
 *   CPU_ONLY       total ≤ usable RAM;
 *   DOES_NOT_FIT   otherwise.
 * With a quantization asked for, that one is placed. Without one, the first in the ladder
 * F16 → Q8_0 → Q6_K → Q5_K_M → Q4_K_M → Q4_0 → Q3_K_M → Q2_K that fits fully on accelerators
 * wins; else the first that fits split; else the first that fits in RAM; else DOES_NOT_FIT with
 * the numbers for Q2_K.
 */
import {
  AcceleratorKind,
  PlacementKind,
  Quantization,
} from "../../gen/ts/hoosh/v1/hardware_pb.js";
import type { Accelerator, Hardware, RecommendPlacementResponse } from "../../gen/ts/hoosh/v1/hardware_pb.js";
import { RECOMMENDATION_LADDER, quantInfo, quantName } from "./quantization.js";
import { respond } from "./placement-response.js";
import type { Device, Estimate, Option, Plan } from "./placement-response.js";
import { resolveShape } from "./shapes.js";
import type { ModelShape, ShapeHints } from "./shapes.js";

const MiB = 1024 ** 2;
export const FIXED_OVERHEAD_BYTES = 300 * MiB;
const MICRO_BATCH = 512;
const F32_BYTES = 4;
const KV_BYTES_PER_ELEMENT = 2;
const VRAM_MARGIN_MIN_BYTES = 512 * MiB;
const VRAM_MARGIN_FRACTION = 0.05;
const RAM_USABLE_FRACTION = 0.9;
const GPU_KINDS = new Set([
  AcceleratorKind.CUDA,
  AcceleratorKind.ROCM,
  AcceleratorKind.METAL,
  AcceleratorKind.VULKAN,
]);

/** A model file's own weights, placed as they are when no quantization is asked for. */
export interface FileWeights {
  readonly bytes: number;
  readonly quantization: Quantization;
  /** llama.cpp's name for the file's type, e.g. "Q4_K_M", "IQ4_XS", "F32". */
  readonly typeName: string;
}

export interface PlacementInput {
  readonly parameterCount: number;
  /** UNSPECIFIED: the file's own weights if fileWeights is given, else recommend from the ladder. */
  readonly quantization: Quantization;
  readonly contextLength: number;
  readonly batchSize: number;
  readonly shapeHints?: ShapeHints | undefined;
  readonly fileWeights?: FileWeights | undefined;
}

export type { Estimate };

/** The memory estimate of the formula above for given weights. */
export function estimateMemory(
  weightsBytes: number,
  shape: ModelShape,
  contextLength: number,
  batchSize: number,
): Estimate {
  const weights = Math.ceil(weightsBytes);
  const kvDimTotal = shape.kvHeads * (shape.keyLength + shape.valueLength); // K and V together
  const kvCache = shape.layers * contextLength * kvDimTotal * batchSize * KV_BYTES_PER_ELEMENT;
  const compute = contextLength * batchSize * MICRO_BATCH * shape.heads * F32_BYTES;
  const overhead = FIXED_OVERHEAD_BYTES + compute;
  return { weights, kvCache, overhead, total: weights + kvCache + overhead };
}

export function weightsFor(parameterCount: number, q: Quantization): number {
  const info = quantInfo(q);
  if (!info) throw new Error(`no bits-per-weight figure for ${quantName(q)}`);
  return (parameterCount * info.bitsPerWeight) / 8;
}

/** RecommendPlacement's answer for `input` on `hw`. */
export function recommendPlacement(input: PlacementInput, hw: Hardware): RecommendPlacementResponse {
  const shape = resolveShape(input.parameterCount, input.shapeHints);
  const ctx = input.contextLength;
  const batch = input.batchSize;
  const options: Option[] = [];
  if (input.quantization === Quantization.UNSPECIFIED && input.fileWeights) {
    const f = input.fileWeights;
    options.push({ quant: f.quantization, typeName: f.typeName, estimate: estimateMemory(f.bytes, shape, ctx, batch) });
  } else {
    const quants = input.quantization === Quantization.UNSPECIFIED ? RECOMMENDATION_LADDER : [input.quantization];
    for (const q of quants) {
      options.push({ quant: q, typeName: quantName(q), estimate: estimateMemory(weightsFor(input.parameterCount, q), shape, ctx, batch) });
    }
  }
  const groups = deviceGroups(hw);
  const ramUsable = Number(hw.memory?.freeBytes ?? 0n) * RAM_USABLE_FRACTION;
  const ctxText = `${ctx} tokens${batch > 1 ? ` × ${batch} sequences` : ""}`;
  const base = { shape, ctxText, params: input.parameterCount, recommending: options.length > 1 };

  const tryAll = (plan: (o: Option) => Plan | undefined): RecommendPlacementResponse | undefined => {
    for (const [i, o] of options.entries()) {
      const p = plan(o);
      if (p) return respond(o, p, { ...base, skipped: options.slice(0, i), ramUsable });
    }
    return undefined;
  };
  return (
    tryAll((o) => planFullGpu(o.estimate, shape.layers, groups)) ??
    tryAll((o) => planSplit(o.estimate, shape.layers, groups, ramUsable)) ??
    tryAll((o) => (o.estimate.total <= ramUsable ? { kind: PlacementKind.CPU_ONLY, devices: [], gpuLayers: 0 } : undefined)) ??
    respond(options[options.length - 1]!, { kind: PlacementKind.DOES_NOT_FIT, devices: [], gpuLayers: 0 }, {
      ...base,
      skipped: [],
      ramUsable,
      vramUsable: groups.map((g) => g.reduce((s, d) => s + d.usable, 0)).reduce((a, b) => Math.max(a, b), 0),
    })
  );
}

/** Usable accelerators grouped by kind, each group sorted by usable VRAM, largest first. */
function deviceGroups(hw: Hardware): Device[][] {
  const byKind = new Map<AcceleratorKind, Device[]>();
  for (const acc of hw.accelerators) {
    if (!GPU_KINDS.has(acc.kind)) continue;
    const total = Number(acc.vramTotalBytes);
    const usable = Number(acc.vramFreeBytes) - Math.max(VRAM_MARGIN_MIN_BYTES, total * VRAM_MARGIN_FRACTION);
    if (usable <= 0) continue;
    const list = byKind.get(acc.kind) ?? [];
    list.push({ acc, usable });
    byKind.set(acc.kind, list);
  }
  const groups = [...byKind.values()].map((g) => g.sort((a, b) => b.usable - a.usable));
  return groups.sort((a, b) => b[0]!.usable - a[0]!.usable);
}

function layersOn(d: Device, e: Estimate, perLayer: number): number {
  return Math.max(0, Math.floor((d.usable - e.overhead) / perLayer));
}

function planFullGpu(e: Estimate, layers: number, groups: Device[][]): Plan | undefined {
  for (const g of groups) {
    if (e.total <= g[0]!.usable) return { kind: PlacementKind.FULL_GPU, devices: [g[0]!], gpuLayers: layers };
  }
  const perLayer = (e.weights + e.kvCache) / layers;
  for (const g of groups) {
    const used: Device[] = [];
    let held = 0;
    for (const d of g) {
      const n = layersOn(d, e, perLayer);
      if (n === 0) continue;
      used.push(d);
      held += n;
      if (held >= layers) return { kind: PlacementKind.FULL_GPU, devices: used, gpuLayers: layers };
    }
  }
  return undefined;
}

function planSplit(e: Estimate, layers: number, groups: Device[][], ramUsable: number): Plan | undefined {
  const perLayer = (e.weights + e.kvCache) / layers;
  let best: Plan | undefined;
  for (const g of groups) {
    const used = g.filter((d) => layersOn(d, e, perLayer) > 0);
    const n = Math.min(layers - 1, used.reduce((s, d) => s + layersOn(d, e, perLayer), 0));
    if (n < 1) continue;
    // Metal's "VRAM" is the same RAM: what the GPU part takes is not free for the CPU part.
    const shared = g[0]!.acc.kind === AcceleratorKind.METAL ? n * perLayer + e.overhead : 0;
    if ((layers - n) * perLayer + e.overhead > ramUsable - shared) continue;
    if (!best || n > best.gpuLayers) best = { kind: PlacementKind.GPU_CPU_SPLIT, devices: used, gpuLayers: n };
  }
  return best;
}
