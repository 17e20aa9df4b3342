import { describe, expect, it } from "vitest";

import { timestampDate } from "@bufbuild/protobuf/wkt";

import { AcceleratorKind } from "../../gen/ts/hoosh/v1/hardware_pb.js";
import { execFileCommand } from "../../server/hardware/commands.js";
import type { RunCommand } from "../../server/hardware/commands.js";
import { HardwareDetector } from "../../server/hardware/detect.js";
import type { OsLike, SystemInfoLike } from "../../server/hardware/detect.js";
import type { GraphicsController } from "../../server/hardware/accelerators.js";
import { PROFILES } from "./fixtures.js";

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

const LINUX_FLAGS =
  "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx pdpe1gb rdtscp lm " +
  "pni pclmulqdq ssse3 fma cx16 sse4_1 sse4_2 movbe popcnt aes xsave avx f16c rdrand hypervisor bmi1 avx2 bmi2 avx512f avx512dq " +
  "avx512cd avx512bw avx512vl avx512vnni avx512_bf16 amx_tile amx_int8";

function fakeOs(over: Partial<OsLike> = {}): OsLike {
  return {
    cpus: () => [{ model: "Fake CPU 9000 " }],
    availableParallelism: () => 16,
    totalmem: () => 64 * GiB,
    freemem: () => 50 * GiB,
    arch: () => "x64",
    platform: () => "linux",
    ...over,
  };
}

interface FakeSi extends SystemInfoLike {
  calls: { cpu: number; mem: number; graphics: number };
}
function fakeSi(controllers: GraphicsController[] = [], over: Partial<SystemInfoLike> = {}): FakeSi {
  const calls = { cpu: 0, mem: 0, graphics: 0 };
  let free = 48 * GiB;
  return {
    calls,
    cpu: async () => (calls.cpu++, { physicalCores: 8, flags: LINUX_FLAGS, manufacturer: "Fake", brand: "CPU 9000" }),
    mem: async () => (calls.mem++, { total: 64 * GiB, free: 10 * GiB, available: (free -= GiB) + GiB }),
    graphics: async () => (calls.graphics++, { controllers }),
    ...over,
  };
}

const enoent = (file: string): Error => Object.assign(new Error(`spawn ${file} ENOENT`), { code: "ENOENT" });

/** A RunCommand answering from a table; a function value is called on each run. */
function fakeRun(table: Record<string, string | Error | (() => string | Error | Promise<string>)>): RunCommand & { calls: string[] } {
  const calls: string[] = [];
  const run = async (file: string): Promise<string> => {
    calls.push(file);
    const v = table[file] ?? enoent(file);
    const out = typeof v === "function" ? await v() : v;
    if (out instanceof Error) throw out;
    return out;
  };
  return Object.assign(run, { calls });
}

const TWO_GPUS = "0, NVIDIA GeForce RTX 4090, 24564, 23975, 550.54.14\n1, NVIDIA RTX A6000, 49140, 48000, 550.54.14\n";

describe("HardwareDetector with injected tools", () => {
  it("answers instantly from node:os before detection, incomplete", () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const si = fakeSi([], { cpu: async () => (await gate, { physicalCores: 8, flags: "" }) });
    const d = new HardwareDetector({ si, os: fakeOs(), runCommand: fakeRun({}) });
    d.start();
    const s = d.snapshot();
    expect(s.detectionComplete).toBe(false);
    expect(s.detectedAt).toBeUndefined();
    expect(s.cpu).toMatchObject({ model: "Fake CPU 9000", architecture: "x64", logicalCores: 16, physicalCores: 0, flags: [] });
    expect(s.memory).toMatchObject({ totalBytes: BigInt(64 * GiB), freeBytes: BigInt(50 * GiB) });
    expect(s.accelerators).toEqual([]);
    release();
  });

  it("reads two NVIDIA GPUs from nvidia-smi; rocm-smi absent is silent; si.graphics skipped on Linux", async () => {
    const si = fakeSi([{ vendor: "NVIDIA Corporation", model: "AD102", vram: 24564 }]);
    const run = fakeRun({ "nvidia-smi": TWO_GPUS });
    const d = new HardwareDetector({ si, os: fakeOs(), runCommand: run });
    const hw = await d.whenDetected();
    expect(hw.detectionComplete).toBe(true);
    expect(timestampDate(hw.detectedAt!).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(hw.accelerators.map((a) => ({ ...a, $typeName: undefined }))).toEqual([
      { $typeName: undefined, index: 0, kind: AcceleratorKind.CUDA, vendor: "NVIDIA", name: "NVIDIA GeForce RTX 4090", vramTotalBytes: BigInt(24564 * MiB), vramFreeBytes: BigInt(23975 * MiB), driver: "550.54.14" },
      { $typeName: undefined, index: 1, kind: AcceleratorKind.CUDA, vendor: "NVIDIA", name: "NVIDIA RTX A6000", vramTotalBytes: BigInt(49140 * MiB), vramFreeBytes: BigInt(48000 * MiB), driver: "550.54.14" },
    ]);
    expect(si.calls.graphics).toBe(0);
    expect(run.calls.sort()).toEqual(["nvidia-smi", "rocm-smi"]);
    expect(d.warnings).toEqual([]);
    expect(hw.cpu!.physicalCores).toBe(8);
    expect(hw.cpu!.flags).toEqual([
      "sse3", "ssse3", "sse4_1", "sse4_2", "avx", "avx2", "fma", "f16c",
      "avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd", "avx512_vnni", "avx512_bf16", "amx_tile", "amx_int8",
    ]);
    expect(hw.memory!.freeBytes).toBe(BigInt(48 * GiB)); // MemAvailable, not MemFree
  });

  it("with neither tool installed, lists si.graphics controllers silently, by kind", async () => {
    const si = fakeSi([
      { vendor: "ASPEED Technology, Inc.", model: "ASPEED Graphics Family", vram: 64, vramDynamic: false },
      { vendor: "Advanced Micro Devices, Inc. [AMD/ATI]", model: "Navi 31 [Radeon RX 7900 XTX]", vram: 24576, vramDynamic: false },
      { vendor: "Intel Corporation", model: "UHD Graphics 770", vram: 256, vramDynamic: true },
    ]);
    const d = new HardwareDetector({ si, os: fakeOs(), runCommand: fakeRun({}) });
    const hw = await d.whenDetected();
    expect(hw.accelerators.map((a) => [a.index, AcceleratorKind[a.kind], a.name, Number(a.vramTotalBytes) / MiB])).toEqual([
      [0, "OTHER", "ASPEED Graphics Family", 64],
      [1, "VULKAN", "Navi 31 [Radeon RX 7900 XTX]", 24576],
      [2, "OTHER", "UHD Graphics 770", 256],
    ]);
    expect(d.warnings).toEqual([]);
  });

  it("reads AMD GPUs from rocm-smi JSON and skips their si.graphics duplicates", async () => {
    const rocm = JSON.stringify({
      card0: { "Card Series": "AMD Instinct MI300X", "VRAM Total Memory (B)": "205822885888", "VRAM Total Used Memory (B)": "290816" },
      card1: { "Card series": "AMD Instinct MI300X", "VRAM Total Memory (B)": "205822885888", "VRAM Total Used Memory (B)": "1073741824" },
      system: { "Driver version": "6.8.5" },
    });
    const si = fakeSi([{ vendor: "Advanced Micro Devices, Inc. [AMD/ATI]", model: "Aqua Vanjaram [Instinct MI300X]", vram: 196608 }]);
    const hw = await new HardwareDetector({ si, os: fakeOs(), runCommand: fakeRun({ "rocm-smi": rocm }) }).whenDetected();
    expect(hw.accelerators.map((a) => [a.index, AcceleratorKind[a.kind], a.name, a.vramFreeBytes, a.driver])).toEqual([
      [0, "ROCM", "AMD Instinct MI300X", 205822885888n - 290816n, "6.8.5"],
      [1, "ROCM", "AMD Instinct MI300X", 205822885888n - 1073741824n, "6.8.5"],
    ]);
  });

  it("warns (without failing) when nvidia-smi is there but broken, and falls back to si.graphics", async () => {
    const broken = Object.assign(new Error("Command failed: nvidia-smi\nNVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."), { code: 9 });
    const warned: string[] = [];
    const si = fakeSi([{ vendor: "NVIDIA Corporation", model: "GA102 [GeForce RTX 3090]", vram: 24576 }]);
    const d = new HardwareDetector({ si, os: fakeOs(), runCommand: fakeRun({ "nvidia-smi": broken }), onWarning: (m) => warned.push(m) });
    const hw = await d.whenDetected();
    expect(warned).toEqual(["nvidia-smi failed: Command failed: nvidia-smi"]);
    expect(hw.accelerators.map((a) => AcceleratorKind[a.kind])).toEqual(["OTHER"]); // no driver: not usable
    expect(hw.detectionComplete).toBe(true);
  });

  it("warns on a tool timeout and on a failing si call, and still completes", async () => {
    const timeout = Object.assign(new Error("Command failed"), { killed: true, signal: "SIGTERM" });
    const si = fakeSi([], { cpu: () => Promise.reject(new Error("boom")) });
    const d = new HardwareDetector({ si, os: fakeOs(), runCommand: fakeRun({ "nvidia-smi": timeout }), commandTimeoutMs: 1234 });
    const hw = await d.whenDetected();
    expect(d.warnings.sort()).toEqual(["nvidia-smi timed out after 1234 ms", "si.cpu() failed: Error: boom"]);
    expect(hw.detectionComplete).toBe(true);
    expect(hw.cpu!.physicalCores).toBe(0);
  });

  it("marks detection complete (with a warning) even when it fails outright", async () => {
    let archCalls = 0;
    const os = fakeOs({
      arch: () => {
        if (++archCalls > 1) throw new Error("uname broke");
        return "x64";
      },
    });
    const d = new HardwareDetector({ si: fakeSi(), os, runCommand: fakeRun({}) });
    const hw = await d.whenDetected();
    expect(d.warnings).toEqual(["hardware detection failed: Error: uname broke"]);
    expect(hw.detectionComplete).toBe(true);
    expect(hw.detectedAt).toBeDefined();
  });

  it("refresh() re-reads free RAM and VRAM, shares one run between concurrent callers, honours maxAgeMs", async () => {
    let free = 23975;
    const run = fakeRun({ "nvidia-smi": () => `0, NVIDIA GeForce RTX 4090, 24564, ${free}, 550.54.14\n` });
    const si = fakeSi();
    const d = new HardwareDetector({ si, os: fakeOs(), runCommand: run });
    await d.whenDetected();
    free = 1000;
    const before = run.calls.length;
    const [a, b] = await Promise.all([d.refresh(), d.refresh()]);
    expect(run.calls.slice(before)).toEqual(["nvidia-smi"]); // one run for both callers; rocm-smi was absent, not retried
    expect(a.accelerators[0]!.vramFreeBytes).toBe(BigInt(1000 * MiB));
    expect(b).toEqual(a);
    expect(a.memory!.freeBytes).toBe(BigInt(47 * GiB));
    free = 500;
    const c = await d.refresh({ maxAgeMs: 60_000 });
    expect(c.accelerators[0]!.vramFreeBytes).toBe(BigInt(1000 * MiB)); // recent enough: reused
    const e = await d.refresh({ maxAgeMs: 0 });
    expect(e.accelerators[0]!.vramFreeBytes).toBe(BigInt(500 * MiB));
  });

  it("on Apple Silicon reports a Metal GPU sharing RAM, and NEON", async () => {
    const si = fakeSi([{ vendor: "Apple", model: "Apple M2 Pro", vram: null, vramDynamic: true }], {
      cpu: async () => ({ physicalCores: 12, flags: "" }),
      mem: async () => ({ total: 32 * GiB, free: 4 * GiB, available: 20 * GiB }),
    });
    const os = fakeOs({ platform: () => "darwin", arch: () => "arm64", totalmem: () => 32 * GiB });
    const hw = await new HardwareDetector({ si, os, runCommand: fakeRun({}) }).whenDetected();
    expect(hw.cpu!.flags).toEqual(["neon"]);
    expect(hw.accelerators).toHaveLength(1);
    expect(AcceleratorKind[hw.accelerators[0]!.kind]).toBe("METAL");
    expect(hw.accelerators[0]!.vramTotalBytes).toBe(BigInt(Math.floor((32 * GiB * 2) / 3)));
    expect(hw.accelerators[0]!.vramFreeBytes).toBe(BigInt(20 * GiB));
  });

  it("close() stops a hanging tool; detection still ends without warnings", async () => {
    let signal: AbortSignal | undefined;
    const hanging: RunCommand = (_file, _args, opts) =>
      new Promise((_resolve, reject) => {
        signal = opts.signal;
        opts.signal?.addEventListener("abort", () => reject(Object.assign(new Error("aborted"), { name: "AbortError" })));
      });
    const d = new HardwareDetector({ si: fakeSi(), os: fakeOs(), runCommand: hanging });
    d.start();
    await new Promise((r) => setTimeout(r, 10));
    d.close();
    await d.whenDetected();
    expect(signal?.aborted).toBe(true);
    expect(d.warnings).toEqual([]);
  });

  it("reports an injected profile as complete, without detecting", async () => {
    const run = fakeRun({});
    const si = fakeSi();
    const d = new HardwareDetector({ profile: PROFILES["24 GB GPU, 64 GB RAM"], si, runCommand: run });
    d.start();
    const s = d.snapshot();
    expect(s.detectionComplete).toBe(true);
    expect(s.detectedAt).toBeDefined();
    expect(s.accelerators[0]!.name).toBe("RTX 4090");
    expect(await d.refresh()).toEqual(s);
    expect(run.calls).toEqual([]);
    expect(si.calls).toEqual({ cpu: 0, mem: 0, graphics: 0 });
  });
});

describe("execFileCommand (the real runner)", () => {
  it("rejects with ENOENT for a missing program", async () => {
    const err = await execFileCommand("hoosh-no-such-tool-xyz", [], { timeoutMs: 1000 }).catch((e: unknown) => e);
    expect((err as NodeJS.ErrnoException).code).toBe("ENOENT");
  });

  it("kills a program that outlives its timeout", async () => {
    const t = performance.now();
    const err = await execFileCommand(process.execPath, ["-e", "setTimeout(() => {}, 10000)"], { timeoutMs: 200 }).catch((e: unknown) => e);
    expect((err as { killed?: boolean }).killed).toBe(true);
    expect(performance.now() - t).toBeLessThan(5000);
  });

  it("returns stdout", async () => {
    expect(await execFileCommand(process.execPath, ["-e", "process.stdout.write('0, GPU, 1, 1, 1')"], { timeoutMs: 5000 })).toBe("0, GPU, 1, 1, 1");
  });
});

describe("HardwareDetector on this machine", () => {
  it("snapshot is instant and incomplete, then complete after background detection", { timeout: 30_000 }, async () => {
    const d = new HardwareDetector();
    const t0 = performance.now();
    d.start();
    const first = d.snapshot();
    const firstMs = performance.now() - t0;
    expect(first.detectionComplete).toBe(false);
    expect(first.cpu!.logicalCores).toBeGreaterThan(0);
    expect(first.memory!.totalBytes).toBeGreaterThan(0n);
    // "Instant" is shown by what it holds, not a wall-clock bound (a busy machine can deschedule
    // any synchronous call): it answered before detection finished, from node:os alone.
    const done = await d.whenDetected();
    const totalMs = performance.now() - t0;
    expect(done.detectionComplete).toBe(true);
    expect(done.detectedAt).toBeDefined();
    expect(done.cpu!.physicalCores).toBeGreaterThan(0);
    const t1 = performance.now();
    await d.refresh();
    const refreshMs = performance.now() - t1;
    const ms = Object.fromEntries(Object.entries(d.timings).map(([k, v]) => [k, Math.round(v * 10) / 10]));
    console.log(
      `[detect] first snapshot ${firstMs.toFixed(2)} ms (complete=${first.detectionComplete}); detection ${totalMs.toFixed(0)} ms; ` +
        `steps (ms, concurrent) ${JSON.stringify(ms)}; refresh ${refreshMs.toFixed(1)} ms; ` +
        `cpu "${done.cpu!.model}" ${done.cpu!.physicalCores}/${done.cpu!.logicalCores} cores, flags [${done.cpu!.flags.join(" ")}]; ` +
        `${done.accelerators.length} accelerator(s); warnings ${JSON.stringify(d.warnings)}`,
    );
    d.close();
  });
});
