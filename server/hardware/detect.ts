/**
 * HardwareDetector: what hoosh runs on. The app creates one and calls start(); detection then runs
 * in the background, off the request path, and snapshot() answers at once with what is known:
 *   before detection ends  node:os only: CPU model, logical cores, total/free RAM, architecture;
 *                          detection_complete = false, physical_cores = 0 (unknown yet)
 *   after                  + systeminformation si.cpu() (physical cores, flags), si.mem()
 *                          (MemAvailable as free), si.graphics() controllers, and nvidia-smi /
 *                          rocm-smi (run asynchronously with a timeout; not installed = silent);
 *                          detection_complete = true, detected_at set.
 * On Linux, si.graphics() runs nvidia-smi synchronously (blocking the event loop) when lspci lists
 * an NVIDIA card; so when our own nvidia-smi call already found GPUs, si.graphics() is skipped.
 * refresh() re-reads free RAM and, when the tools answered before, free VRAM (cheap, coalesced).
 * Tests inject `si`, `runCommand` and `os`, or a complete `profile` (then nothing is detected).
 */
import * as nodeOs from "node:os";

import { clone, create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";

import { CpuSchema, HardwareSchema, MemorySchema } from "../../gen/ts/hoosh/v1/hardware_pb.js";
import type { Accelerator, Hardware } from "../../gen/ts/hoosh/v1/hardware_pb.js";
import { AcceleratorKind } from "../../gen/ts/hoosh/v1/hardware_pb.js";
import { acceleratorsFromGraphics, metalWorkingSet } from "./accelerators.js";
import type { GraphicsController } from "./accelerators.js";
import { execFileCommand, isNotInstalled } from "./commands.js";
import type { RunCommand } from "./commands.js";
import { normaliseCpuFlags } from "./cpu-flags.js";
import { NVIDIA_SMI, NVIDIA_SMI_ARGS, ROCM_SMI, ROCM_SMI_ARGS, parseNvidiaSmi, parseRocmSmi } from "./smi.js";

/** The parts of systeminformation detection uses. */
export interface SystemInfoLike {
  cpu(): Promise<{ physicalCores: number; flags?: string; manufacturer?: string; brand?: string }>;
  mem(): Promise<{ total: number; free: number; available?: number }>;
  graphics(): Promise<{ controllers: readonly GraphicsController[] }>;
}

/** The parts of node:os detection uses. */
export interface OsLike {
  cpus(): ReadonlyArray<{ model: string }>;
  availableParallelism(): number;
  totalmem(): number;
  freemem(): number;
  arch(): string;
  platform(): string;
}

export interface HardwareDetectorOptions {
  si?: SystemInfoLike;
  runCommand?: RunCommand;
  os?: OsLike;
  /** A complete hardware description to report instead of detecting (placement tests, fixed fleets). */
  profile?: Hardware;
  /** Per external command; default 5 s. */
  commandTimeoutMs?: number;
  onWarning?: (message: string) => void;
}

export class HardwareDetector {
  /** Problems met while detecting (a failing tool, a timeout); also passed to onWarning. */
  readonly warnings: string[] = [];
  /** Milliseconds each detection step took: cpu, mem, graphics, nvidia-smi, rocm-smi, total. */
  readonly timings: Record<string, number> = {};
  private state: Hardware;
  private detection: Promise<void> | undefined;
  private refreshing: Promise<Hardware> | undefined;
  private si: SystemInfoLike | undefined;
  private nvidiaPresent = false;
  private rocmPresent = false;
  /** performance.now() when free memory was last read (by detection or refresh). */
  private freshAt = Number.NEGATIVE_INFINITY;
  private readonly abort = new AbortController();
  private readonly os: OsLike;
  private readonly run: RunCommand;
  private readonly timeoutMs: number;
  private readonly fixed: boolean;

  constructor(private readonly options: HardwareDetectorOptions = {}) {
    this.os = options.os ?? nodeOs;
    this.run = options.runCommand ?? execFileCommand;
    this.timeoutMs = options.commandTimeoutMs ?? 5000;
    this.fixed = options.profile !== undefined;
    this.si = options.si;
    this.state = options.profile
      ? clone(HardwareSchema, { ...options.profile, detectionComplete: true, detectedAt: options.profile.detectedAt ?? timestampFromDate(new Date()) })
      : this.instant();
  }

  /** Starts background detection (once) and returns at once. */
  start(): void {
    if (this.fixed || this.detection) return;
    this.detection = this.detect().catch((err: unknown) => {
      // Not running any more: report what is known as final rather than "still detecting" forever.
      this.warn(`hardware detection failed: ${String(err)}`);
      this.state = clone(HardwareSchema, { ...this.state, detectionComplete: true, detectedAt: timestampFromDate(new Date()) });
    });
  }

  /** What is known now; never waits. */
  snapshot(): Hardware {
    return clone(HardwareSchema, this.state);
  }

  /** Starts detection if needed and resolves with the snapshot once it has ended. */
  async whenDetected(): Promise<Hardware> {
    this.start();
    await this.detection;
    return this.snapshot();
  }

  /**
   * Re-reads free RAM, and free VRAM from nvidia-smi / rocm-smi when they answered before.
   * Concurrent calls share one re-read; with `maxAgeMs`, values read that recently are reused.
   */
  refresh(options: { maxAgeMs?: number } = {}): Promise<Hardware> {
    if (this.fixed) return Promise.resolve(this.snapshot());
    const age = performance.now() - this.freshAt;
    if (options.maxAgeMs !== undefined && age <= options.maxAgeMs) return Promise.resolve(this.snapshot());
    this.refreshing ??= this.rereadFree().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /** Stops running tool processes; later detection steps are skipped. */
  close(): void {
    this.abort.abort();
  }

  private instant(): Hardware {
    const os = this.os;
    return create(HardwareSchema, {
      cpu: create(CpuSchema, {
        model: os.cpus()[0]?.model.trim() ?? "",
        architecture: os.arch(),
        logicalCores: os.availableParallelism(),
      }),
      memory: create(MemorySchema, { totalBytes: BigInt(os.totalmem()), freeBytes: BigInt(os.freemem()) }),
      detectionComplete: false,
    });
  }

  private async detect(): Promise<void> {
    const started = performance.now();
    const si = (this.si ??= await this.timed("import", loadSystemInformation()));
    const [cpu, mem, gpus] = await Promise.all([
      this.timed("cpu", si.cpu()).catch((e: unknown) => this.warn(`si.cpu() failed: ${String(e)}`)),
      this.timed("mem", si.mem()).catch((e: unknown) => this.warn(`si.mem() failed: ${String(e)}`)),
      this.detectAccelerators(si),
    ]);
    if (this.abort.signal.aborted) return;
    const arch = this.os.arch();
    const next = clone(HardwareSchema, this.state);
    next.cpu!.architecture = arch;
    if (cpu) {
      next.cpu!.physicalCores = cpu.physicalCores;
      next.cpu!.flags = normaliseCpuFlags(cpu.flags ?? "", arch);
      if (!next.cpu!.model) next.cpu!.model = `${cpu.manufacturer ?? ""} ${cpu.brand ?? ""}`.trim();
    } else {
      next.cpu!.flags = normaliseCpuFlags("", arch);
    }
    if (mem) next.memory = create(MemorySchema, { totalBytes: BigInt(mem.total), freeBytes: BigInt(mem.available ?? mem.free) });
    next.accelerators = gpus(Number(next.memory!.totalBytes), Number(next.memory!.freeBytes));
    next.detectionComplete = true;
    next.detectedAt = timestampFromDate(new Date());
    this.timings.total = performance.now() - started;
    this.state = next;
    this.freshAt = performance.now();
  }

  /** nvidia-smi and rocm-smi first; si.graphics() for the rest (skipped when nvidia-smi found GPUs on Linux). */
  private async detectAccelerators(si: SystemInfoLike): Promise<(ramTotal: number, ramFree: number) => Accelerator[]> {
    const [nvidiaOut, rocmOut] = await Promise.all([this.tool(NVIDIA_SMI, NVIDIA_SMI_ARGS), this.tool(ROCM_SMI, ROCM_SMI_ARGS)]);
    const nvidia = nvidiaOut === undefined ? [] : parseNvidiaSmi(nvidiaOut);
    const rocm = rocmOut === undefined ? [] : parseRocmSmi(rocmOut, nvidia.length);
    this.nvidiaPresent = nvidia.length > 0;
    this.rocmPresent = rocm.length > 0;
    let controllers: readonly GraphicsController[] = [];
    if (!(this.nvidiaPresent && this.os.platform() === "linux") && !this.abort.signal.aborted) {
      const g = await this.timed("graphics", si.graphics()).catch((e: unknown) => this.warn(`si.graphics() failed: ${String(e)}`));
      controllers = g?.controllers ?? [];
    }
    return (ramTotal, ramFree) => [
      ...nvidia,
      ...rocm,
      ...acceleratorsFromGraphics(controllers, {
        skipNvidia: this.nvidiaPresent,
        skipAmd: this.rocmPresent,
        firstIndex: nvidia.length + rocm.length,
        ramTotal,
        ramFree,
      }),
    ];
  }

  private async rereadFree(): Promise<Hardware> {
    const si = this.si;
    const [mem, nvidiaOut, rocmOut] = await Promise.all([
      si ? si.mem().catch(() => undefined) : undefined,
      this.nvidiaPresent ? this.tool(NVIDIA_SMI, NVIDIA_SMI_ARGS) : undefined,
      this.rocmPresent ? this.tool(ROCM_SMI, ROCM_SMI_ARGS) : undefined,
    ]);
    const ramFree = mem ? (mem.available ?? mem.free) : this.os.freemem();
    const next = clone(HardwareSchema, this.state);
    next.memory!.freeBytes = BigInt(ramFree);
    const fresh = new Map<string, bigint>();
    for (const a of nvidiaOut ? parseNvidiaSmi(nvidiaOut) : []) fresh.set(`${a.kind}:${a.index}`, a.vramFreeBytes);
    const nvidiaCount = next.accelerators.filter((a) => a.kind === AcceleratorKind.CUDA).length;
    for (const a of rocmOut ? parseRocmSmi(rocmOut, nvidiaCount) : []) fresh.set(`${a.kind}:${a.index}`, a.vramFreeBytes);
    for (const a of next.accelerators) {
      const f = fresh.get(`${a.kind}:${a.index}`);
      if (f !== undefined) a.vramFreeBytes = f;
      if (a.kind === AcceleratorKind.METAL) {
        a.vramFreeBytes = BigInt(Math.min(metalWorkingSet(Number(next.memory!.totalBytes)), ramFree));
      }
    }
    this.state = next;
    this.freshAt = performance.now();
    return this.snapshot();
  }

  /** Runs a vendor tool; undefined when it isn't installed (silent) or fails (warning). */
  private async tool(file: string, args: readonly string[]): Promise<string | undefined> {
    if (this.abort.signal.aborted) return undefined;
    try {
      return await this.timed(file, this.run(file, args, { timeoutMs: this.timeoutMs, signal: this.abort.signal }));
    } catch (err) {
      if (isNotInstalled(err) || this.abort.signal.aborted) return undefined;
      const e = err as { killed?: boolean; message?: string };
      this.warn(e.killed ? `${file} timed out after ${this.timeoutMs} ms` : `${file} failed: ${firstLine(e.message ?? String(err))}`);
      return undefined;
    }
  }

  private async timed<T>(step: string, work: Promise<T>): Promise<T> {
    const t = performance.now();
    try {
      return await work;
    } finally {
      this.timings[step] = performance.now() - t;
    }
  }

  private warn(message: string): undefined {
    this.warnings.push(message);
    this.options.onWarning?.(message);
    return undefined;
  }
}

async function loadSystemInformation(): Promise<SystemInfoLike> {
  const mod = await import("systeminformation");
  return mod.default;
}

function firstLine(s: string): string {
  return s.split("\n").find((l) => l.trim() !== "")?.trim() ?? s;
}
