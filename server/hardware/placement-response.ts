/**
 * The RecommendPlacementResponse for a chosen plan, with one readable sentence that carries the
 * numbers (GiB with one decimal): what the model needs, where it goes, and why not larger.
 */
import { create } from "@bufbuild/protobuf";

import { MemoryEstimateSchema, PlacementKind, RecommendPlacementResponseSchema } from "../../gen/ts/hoosh/v1/hardware_pb.js";
import type { Accelerator, Quantization, RecommendPlacementResponse } from "../../gen/ts/hoosh/v1/hardware_pb.js";
import type { ModelShape } from "./shapes.js";

const GiB = 1024 ** 3;

/** Bytes a model needs, by part (placement.ts has the formula). */
export interface Estimate {
  readonly weights: number;
  readonly kvCache: number;
  readonly overhead: number;
  readonly total: number;
}

/** An accelerator placement may use, with its VRAM after the safety margin. */
export interface Device {
  readonly acc: Accelerator;
  readonly usable: number;
}

export interface Plan {
  readonly kind: PlacementKind;
  readonly devices: readonly Device[];
  readonly gpuLayers: number;
}

/** A quantization under consideration and its estimate. */
export interface Option {
  readonly quant: Quantization;
  readonly typeName: string;
  readonly estimate: Estimate;
}

/** What the reason sentence needs besides the option and plan. */
export interface Context {
  readonly shape: ModelShape;
  readonly ctxText: string;
  readonly params: number;
  readonly recommending: boolean;
  readonly skipped: readonly Option[];
  readonly ramUsable: number;
  readonly vramUsable?: number;
}

export function respond(o: Option, p: Plan, c: Context): RecommendPlacementResponse {
  const e = o.estimate;
  const parts = `weights ${gib(e.weights)} + KV cache ${gib(e.kvCache)} for ${c.ctxText} + overhead ${gib(e.overhead)}`;
  const lowest = c.recommending && p.kind === PlacementKind.DOES_NOT_FIT;
  const needs = `${formatParams(c.params)} parameters need ${gib(e.total)} GiB ${lowest ? "even " : ""}at ${o.typeName} (${parts})`;
  const perLayer = (e.weights + e.kvCache) / c.shape.layers;
  const gpus = (ds: readonly Device[]): string =>
    ds.length === 1 ? deviceText(ds[0]!) : `${ds.length} GPUs, ${ds.map(deviceText).join(" and ")}`;
  let where: string;
  let failed: string;
  switch (p.kind) {
    case PlacementKind.FULL_GPU:
      where = p.devices.length === 1 ? `fits fully on ${gpus(p.devices)}` : `fits fully when spread across ${gpus(p.devices)}`;
      failed = "do not fit in VRAM";
      break;
    case PlacementKind.GPU_CPU_SPLIT: {
      const cpuLayers = c.shape.layers - p.gpuLayers;
      where =
        `fits split: ${p.gpuLayers} of ${c.shape.layers} layers on ${gpus(p.devices)}, ` +
        `the other ${cpuLayers} (${gib(cpuLayers * perLayer + e.overhead)} GiB with overhead) in RAM (${gib(c.ramUsable)} GiB usable)`;
      failed = "do not fit even split between VRAM and RAM";
      break;
    }
    case PlacementKind.CPU_ONLY:
      where = `runs on the CPU from RAM (${gib(c.ramUsable)} GiB usable: free RAM minus 10 % headroom)`;
      failed = "do not fit in RAM";
      break;
    default:
      where =
        `does not fit: ${c.vramUsable ? `${gib(c.vramUsable)} GiB usable VRAM` : "no usable GPU"}` +
        ` and ${gib(c.ramUsable)} GiB usable RAM (free RAM minus 10 % headroom)`;
      failed = "";
  }
  const larger = failed && c.recommending && c.skipped.length > 0 ? `; larger quantizations (${c.skipped.map((s) => s.typeName).join(", ")}) ${failed}` : "";
  const shapeNote = c.shape.source === "metadata" ? "" : `; shape assumed ${c.shape.source}`;
  return create(RecommendPlacementResponseSchema, {
    kind: p.kind,
    quantization: o.quant,
    acceleratorIndexes: p.devices.map((d) => d.acc.index),
    gpuLayers: p.gpuLayers,
    totalLayers: c.shape.layers,
    estimate: create(MemoryEstimateSchema, {
      weightsBytes: BigInt(e.weights),
      kvCacheBytes: BigInt(e.kvCache),
      overheadBytes: BigInt(e.overhead),
      totalBytes: BigInt(e.total),
    }),
    reason: `${needs}; ${where}${larger}${shapeNote}.`,
  });
}

function deviceText(d: Device): string {
  const name = d.acc.name || d.acc.vendor || "accelerator";
  return `GPU ${d.acc.index} ${name} (${gib(d.usable)} GiB usable of ${gib(Number(d.acc.vramFreeBytes))} GiB free)`;
}

/** Bytes as GiB with one decimal: "4.5". */
export function gib(bytes: number): string {
  return (bytes / GiB).toFixed(1);
}

/** 7e9 → "7.0B", 260000 → "260.0K". */
export function formatParams(n: number): string {
  if (n >= 1e12) return `${(n / 1e12).toFixed(1)}T`;
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}K`;
  return String(n);
}
