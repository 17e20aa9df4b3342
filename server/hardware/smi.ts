/**
 * GPU inventories from the vendors' tools, run asynchronously through RunCommand:
 *   nvidia-smi --query-gpu=index,name,memory.total,memory.free,driver_version --format=csv,noheader,nounits
 *     one line per GPU, e.g. "0, NVIDIA GeForce RTX 4090, 24564, 24211, 550.54.14" (MiB);
 *   rocm-smi --showproductname --showmeminfo vram --showdriverversion --json
 *     {"card0": {"Card Series": ..., "VRAM Total Memory (B)": "...", "VRAM Total Used Memory (B)": "..."},
 *      "system": {"Driver version": "..."}} (key spelling varies between ROCm releases).
 */
import { create } from "@bufbuild/protobuf";

import { AcceleratorKind, AcceleratorSchema } from "../../gen/ts/hoosh/v1/hardware_pb.js";
import type { Accelerator } from "../../gen/ts/hoosh/v1/hardware_pb.js";

const MiB = 1024 * 1024;

export const NVIDIA_SMI = "nvidia-smi";
export const NVIDIA_SMI_ARGS = [
  "--query-gpu=index,name,memory.total,memory.free,driver_version",
  "--format=csv,noheader,nounits",
] as const;
export const ROCM_SMI = "rocm-smi";
export const ROCM_SMI_ARGS = ["--showproductname", "--showmeminfo", "vram", "--showdriverversion", "--json"] as const;

/** Parses nvidia-smi's CSV; lines that don't parse are skipped. Unknown sizes ("[N/A]") become 0. */
export function parseNvidiaSmi(stdout: string): Accelerator[] {
  const out: Accelerator[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const cells = line.split(",").map((c) => c.trim());
    if (cells.length < 5) continue;
    // A name may itself hold commas: the first cell is the index, the last three are fixed.
    const index = Number.parseInt(cells[0]!, 10);
    if (!Number.isInteger(index) || index < 0) continue;
    const [total, free, driver] = cells.slice(-3) as [string, string, string];
    out.push(
      create(AcceleratorSchema, {
        index,
        kind: AcceleratorKind.CUDA,
        vendor: "NVIDIA",
        name: cells.slice(1, -3).join(", "),
        vramTotalBytes: mib(total),
        vramFreeBytes: mib(free),
        driver,
      }),
    );
  }
  return out;
}

/** Parses rocm-smi's JSON; indexes start at `firstIndex` (after any NVIDIA GPUs). */
export function parseRocmSmi(stdout: string, firstIndex: number): Accelerator[] {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch {
    return [];
  }
  if (typeof doc !== "object" || doc === null) return [];
  const entries = Object.entries(doc as Record<string, unknown>);
  const system = lowerKeys(entries.find(([k]) => k.toLowerCase() === "system")?.[1]);
  const driver = system["driver version"] ?? "";
  const cards = entries
    .map(([k, v]) => ({ n: /^card(\d+)$/i.exec(k)?.[1], v: lowerKeys(v) }))
    .filter((c): c is { n: string; v: Record<string, string> } => c.n !== undefined)
    .sort((a, b) => Number(a.n) - Number(b.n));
  return cards.map(({ v }, i) => {
    const total = bytes(v["vram total memory (b)"]);
    const used = bytes(v["vram total used memory (b)"]);
    return create(AcceleratorSchema, {
      index: firstIndex + i,
      kind: AcceleratorKind.ROCM,
      vendor: "AMD",
      name: v["card series"] ?? v["marketing name"] ?? v["card model"] ?? v["card sku"] ?? "AMD GPU",
      vramTotalBytes: total,
      vramFreeBytes: total > used ? total - used : 0n,
      driver,
    });
  });
}

function mib(cell: string): bigint {
  const n = Number(cell);
  return Number.isFinite(n) && n >= 0 ? BigInt(Math.round(n * MiB)) : 0n;
}

function bytes(v: string | undefined): bigint {
  return v !== undefined && /^\d+$/.test(v.trim()) ? BigInt(v.trim()) : 0n;
}

function lowerKeys(v: unknown): Record<string, string> {
  if (typeof v !== "object" || v === null) return {};
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.toLowerCase(), String(x)]));
}
