/**
 * Accelerators from systeminformation's graphics controllers, for GPUs the vendor tools didn't
 * report. Kinds:
 *   Apple GPU (macOS, Apple Silicon)            METAL; unified memory: usable VRAM is Metal's
 *                                               recommended working set, about 2/3 of RAM up to
 *                                               36 GiB and 3/4 above; free = min(that, free RAM)
 *   AMD or Intel with ≥ 1 GiB dedicated VRAM    VULKAN (no rocm-smi); free VRAM as reported,
 *                                               else assumed all free
 *   anything else (iGPUs with shared memory,    OTHER: listed, never used for placement
 *   server BMC adapters, NVIDIA without
 *   nvidia-smi, i.e. without a working driver)
 */
import { create } from "@bufbuild/protobuf";

import { AcceleratorKind, AcceleratorSchema } from "../../gen/ts/hoosh/v1/hardware_pb.js";
import type { Accelerator } from "../../gen/ts/hoosh/v1/hardware_pb.js";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const MIN_DEDICATED_MIB = 1024;

/** The fields of systeminformation's GraphicsControllerData that detection reads. */
export interface GraphicsController {
  readonly vendor?: string | undefined;
  readonly model?: string | undefined;
  readonly vram?: number | null | undefined;
  readonly vramDynamic?: boolean | undefined;
  readonly driverVersion?: string | undefined;
  readonly memoryTotal?: number | undefined;
  readonly memoryFree?: number | undefined;
}

export interface GraphicsContext {
  /** Vendors already reported by nvidia-smi / rocm-smi: their controllers are skipped. */
  readonly skipNvidia: boolean;
  readonly skipAmd: boolean;
  readonly firstIndex: number;
  readonly ramTotal: number;
  readonly ramFree: number;
}

export function acceleratorsFromGraphics(controllers: readonly GraphicsController[], ctx: GraphicsContext): Accelerator[] {
  const out: Accelerator[] = [];
  for (const c of controllers) {
    const vendor = (c.vendor ?? "").trim();
    const text = `${vendor} ${c.model ?? ""}`.toLowerCase();
    const nvidia = text.includes("nvidia");
    const amd = /\bamd\b|advanced micro devices|\bati\b|radeon/.test(text);
    if ((nvidia && ctx.skipNvidia) || (amd && ctx.skipAmd)) continue;
    const vramMiB = c.memoryTotal ?? c.vram ?? 0;
    let kind = AcceleratorKind.OTHER;
    let total = BigInt(Math.round(Math.max(0, vramMiB) * MiB));
    let free = c.memoryFree === undefined ? total : BigInt(Math.round(Math.max(0, c.memoryFree) * MiB));
    if (text.includes("apple")) {
      kind = AcceleratorKind.METAL;
      total = BigInt(metalWorkingSet(ctx.ramTotal));
      free = BigInt(Math.min(Number(total), ctx.ramFree));
    } else if (!nvidia && !c.vramDynamic && vramMiB >= MIN_DEDICATED_MIB) {
      kind = AcceleratorKind.VULKAN;
    }
    out.push(
      create(AcceleratorSchema, {
        index: ctx.firstIndex + out.length,
        kind,
        vendor,
        name: c.model ?? "",
        vramTotalBytes: total,
        vramFreeBytes: free,
        driver: c.driverVersion ?? "",
      }),
    );
  }
  return out;
}

/** Metal's recommendedMaxWorkingSetSize, approximately. */
export function metalWorkingSet(ramTotal: number): number {
  return Math.floor(ramTotal * (ramTotal <= 36 * GiB ? 2 / 3 : 3 / 4));
}
