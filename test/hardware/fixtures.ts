/** Paths and hardware profiles shared by the hardware tests. */
import { existsSync } from "node:fs";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { create } from "@bufbuild/protobuf";

import { AcceleratorKind, AcceleratorSchema, HardwareSchema } from "../../gen/ts/hoosh/v1/hardware_pb.js";
import type { Accelerator, Hardware } from "../../gen/ts/hoosh/v1/hardware_pb.js";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The real model beside the project (absent in a bare clone). */
export const storiesPath = resolve(repoRoot, "..", "shared", "models", "stories260K.gguf");
export const storiesPresent = existsSync(storiesPath);

/** Fails the suite when the real model is absent: a missing fixture is a failure, never a skip. */
export function reportStoriesAbsence(suite: string): void {
  if (!storiesPresent) throw new Error(`[${suite}] stories260K.gguf is absent (looked at ${storiesPath}): ../shared/models must sit beside the repo`);
}

/** A temporary directory removed by the returned cleanup. */
export function tempDir(): { dir: string; file: (name: string, data: Uint8Array | string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "hoosh-hw-"));
  return {
    dir,
    file: (name, data) => {
      const p = join(dir, name);
      writeFileSync(p, data);
      return p;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

export function cudaGpu(index: number, name: string, totalMiB: number, freeMiB: number): Accelerator {
  return create(AcceleratorSchema, {
    index,
    kind: AcceleratorKind.CUDA,
    vendor: "NVIDIA",
    name,
    vramTotalBytes: BigInt(totalMiB * MiB),
    vramFreeBytes: BigInt(freeMiB * MiB),
    driver: "550.54.14",
  });
}

/** A machine with `ramGiB` of RAM (free: 13 GiB of 16, 60 of 64) and the given GPUs. */
export function machine(ramGiB: 16 | 64, gpus: Accelerator[]): Hardware {
  const free = ramGiB === 16 ? 13 : 60;
  return create(HardwareSchema, {
    cpu: { model: "Test CPU", architecture: "x64", physicalCores: 8, logicalCores: 16, flags: ["avx", "avx2", "fma", "f16c"] },
    memory: { totalBytes: BigInt(ramGiB * GiB), freeBytes: BigInt(free * GiB) },
    accelerators: gpus,
    detectionComplete: true,
  });
}

/** GPUs as they come: an 8 GB card (RTX 4060 class), a 24 GB (RTX 4090) and an 80 GB (A100/H100). */
export const GPU_8GB = (index = 0): Accelerator => cudaGpu(index, "RTX 4060 8GB", 8188, 7800);
export const GPU_24GB = (index = 0): Accelerator => cudaGpu(index, "RTX 4090", 24564, 24000);
export const GPU_80GB = (index = 0): Accelerator => cudaGpu(index, "A100 80GB", 81559, 81000);

export const PROFILES = {
  "no GPU, 16 GB RAM": machine(16, []),
  "no GPU, 64 GB RAM": machine(64, []),
  "8 GB GPU, 16 GB RAM": machine(16, [GPU_8GB()]),
  "8 GB GPU, 64 GB RAM": machine(64, [GPU_8GB()]),
  "24 GB GPU, 16 GB RAM": machine(16, [GPU_24GB()]),
  "24 GB GPU, 64 GB RAM": machine(64, [GPU_24GB()]),
  "80 GB GPU, 64 GB RAM": machine(64, [GPU_80GB()]),
  "2 × 24 GB GPU, 64 GB RAM": machine(64, [GPU_24GB(0), GPU_24GB(1)]),
} as const;
export type ProfileName = keyof typeof PROFILES;
