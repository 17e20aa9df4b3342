import { describe, expect, it } from "vitest";

import { AcceleratorKind, PlacementKind, Quantization } from "../../gen/ts/hoosh/v1/hardware_pb.js";
import { estimateMemory, recommendPlacement, weightsFor } from "../../server/hardware/placement.js";
import { resolveShape, typicalShape } from "../../server/hardware/shapes.js";
import { PROFILES, machine, cudaGpu } from "./fixtures.js";
import type { ProfileName } from "./fixtures.js";

const { FULL_GPU, GPU_CPU_SPLIT, CPU_ONLY, DOES_NOT_FIT } = PlacementKind;
const Q = Quantization;
const MiB = 1024 ** 2;

const MODELS = { "1B": 1e9, "7B": 7e9, "13B": 13e9, "70B": 70e9 } as const;
type Model = keyof typeof MODELS;

/**
 * Expected outcomes at 4096 tokens of context, batch 1. `asked` UNSPECIFIED = "recommend one".
 * Columns: profile, model, quantization asked, expected kind, expected quantization,
 * expected gpu_layers / total_layers, expected accelerator indexes.
 */
type Row = [ProfileName, Model, Quantization, PlacementKind, Quantization, string, number[]];
const AUTO = Q.UNSPECIFIED;
const EXPECTED: Row[] = [
  // No GPU, 16 GB RAM (11.7 GiB usable)
  ["no GPU, 16 GB RAM", "1B", AUTO, CPU_ONLY, Q.F16, "0/16", []],
  ["no GPU, 16 GB RAM", "7B", AUTO, CPU_ONLY, Q.Q8_0, "0/32", []],
  ["no GPU, 16 GB RAM", "7B", Q.F16, DOES_NOT_FIT, Q.F16, "0/32", []],
  ["no GPU, 16 GB RAM", "13B", AUTO, CPU_ONLY, Q.Q4_K_M, "0/40", []],
  ["no GPU, 16 GB RAM", "13B", Q.Q8_0, DOES_NOT_FIT, Q.Q8_0, "0/40", []],
  ["no GPU, 16 GB RAM", "70B", AUTO, DOES_NOT_FIT, Q.Q2_K, "0/80", []],
  ["no GPU, 16 GB RAM", "70B", Q.Q4_K_M, DOES_NOT_FIT, Q.Q4_K_M, "0/80", []],
  // No GPU, 64 GB RAM (54.0 GiB usable)
  ["no GPU, 64 GB RAM", "1B", AUTO, CPU_ONLY, Q.F16, "0/16", []],
  ["no GPU, 64 GB RAM", "7B", AUTO, CPU_ONLY, Q.F16, "0/32", []],
  ["no GPU, 64 GB RAM", "13B", AUTO, CPU_ONLY, Q.F16, "0/40", []],
  ["no GPU, 64 GB RAM", "70B", AUTO, CPU_ONLY, Q.Q5_K_M, "0/80", []],
  ["no GPU, 64 GB RAM", "70B", Q.Q4_K_M, CPU_ONLY, Q.Q4_K_M, "0/80", []],
  ["no GPU, 64 GB RAM", "70B", Q.Q8_0, DOES_NOT_FIT, Q.Q8_0, "0/80", []],
  // 8 GB GPU (7.1 GiB usable), 16 GB RAM
  ["8 GB GPU, 16 GB RAM", "1B", AUTO, FULL_GPU, Q.F16, "16/16", [0]],
  ["8 GB GPU, 16 GB RAM", "7B", AUTO, FULL_GPU, Q.Q6_K, "32/32", [0]],
  ["8 GB GPU, 16 GB RAM", "7B", Q.Q4_K_M, FULL_GPU, Q.Q4_K_M, "32/32", [0]],
  ["8 GB GPU, 16 GB RAM", "7B", Q.Q8_0, GPU_CPU_SPLIT, Q.Q8_0, "28/32", [0]],
  ["8 GB GPU, 16 GB RAM", "7B", Q.F16, GPU_CPU_SPLIT, Q.F16, "15/32", [0]],
  ["8 GB GPU, 16 GB RAM", "13B", AUTO, GPU_CPU_SPLIT, Q.Q8_0, "16/40", [0]],
  ["8 GB GPU, 16 GB RAM", "13B", Q.Q4_K_M, GPU_CPU_SPLIT, Q.Q4_K_M, "24/40", [0]],
  ["8 GB GPU, 16 GB RAM", "13B", Q.F16, DOES_NOT_FIT, Q.F16, "0/40", []],
  ["8 GB GPU, 16 GB RAM", "70B", AUTO, DOES_NOT_FIT, Q.Q2_K, "0/80", []],
  // 8 GB GPU, 64 GB RAM
  ["8 GB GPU, 64 GB RAM", "1B", AUTO, FULL_GPU, Q.F16, "16/16", [0]],
  ["8 GB GPU, 64 GB RAM", "7B", AUTO, FULL_GPU, Q.Q6_K, "32/32", [0]],
  ["8 GB GPU, 64 GB RAM", "13B", AUTO, GPU_CPU_SPLIT, Q.F16, "9/40", [0]],
  ["8 GB GPU, 64 GB RAM", "13B", Q.Q4_K_M, GPU_CPU_SPLIT, Q.Q4_K_M, "24/40", [0]],
  ["8 GB GPU, 64 GB RAM", "70B", AUTO, GPU_CPU_SPLIT, Q.Q6_K, "9/80", [0]],
  ["8 GB GPU, 64 GB RAM", "70B", Q.Q4_K_M, GPU_CPU_SPLIT, Q.Q4_K_M, "12/80", [0]],
  ["8 GB GPU, 64 GB RAM", "70B", Q.Q8_0, DOES_NOT_FIT, Q.Q8_0, "0/80", []],
  // 24 GB GPU (22.2 GiB usable), 16 GB RAM
  ["24 GB GPU, 16 GB RAM", "1B", AUTO, FULL_GPU, Q.F16, "16/16", [0]],
  ["24 GB GPU, 16 GB RAM", "7B", AUTO, FULL_GPU, Q.F16, "32/32", [0]],
  ["24 GB GPU, 16 GB RAM", "13B", AUTO, FULL_GPU, Q.Q8_0, "40/40", [0]],
  ["24 GB GPU, 16 GB RAM", "13B", Q.F16, GPU_CPU_SPLIT, Q.F16, "31/40", [0]],
  ["24 GB GPU, 16 GB RAM", "70B", AUTO, GPU_CPU_SPLIT, Q.Q2_K, "60/80", [0]],
  ["24 GB GPU, 16 GB RAM", "70B", Q.Q4_K_M, DOES_NOT_FIT, Q.Q4_K_M, "0/80", []],
  // 24 GB GPU, 64 GB RAM
  ["24 GB GPU, 64 GB RAM", "1B", AUTO, FULL_GPU, Q.F16, "16/16", [0]],
  ["24 GB GPU, 64 GB RAM", "7B", AUTO, FULL_GPU, Q.F16, "32/32", [0]],
  ["24 GB GPU, 64 GB RAM", "13B", AUTO, FULL_GPU, Q.Q8_0, "40/40", [0]],
  ["24 GB GPU, 64 GB RAM", "70B", AUTO, GPU_CPU_SPLIT, Q.Q8_0, "24/80", [0]],
  ["24 GB GPU, 64 GB RAM", "70B", Q.Q4_K_M, GPU_CPU_SPLIT, Q.Q4_K_M, "42/80", [0]],
  ["24 GB GPU, 64 GB RAM", "70B", Q.F16, DOES_NOT_FIT, Q.F16, "0/80", []],
  // 80 GB GPU (75.1 GiB usable), 64 GB RAM
  ["80 GB GPU, 64 GB RAM", "1B", AUTO, FULL_GPU, Q.F16, "16/16", [0]],
  ["80 GB GPU, 64 GB RAM", "7B", AUTO, FULL_GPU, Q.F16, "32/32", [0]],
  ["80 GB GPU, 64 GB RAM", "13B", AUTO, FULL_GPU, Q.F16, "40/40", [0]],
  ["80 GB GPU, 64 GB RAM", "70B", AUTO, FULL_GPU, Q.Q8_0, "80/80", [0]],
  ["80 GB GPU, 64 GB RAM", "70B", Q.Q4_K_M, FULL_GPU, Q.Q4_K_M, "80/80", [0]],
  ["80 GB GPU, 64 GB RAM", "70B", Q.F16, DOES_NOT_FIT, Q.F16, "0/80", []],
  // Two 24 GB GPUs, 64 GB RAM: models too big for one card spread across both
  ["2 × 24 GB GPU, 64 GB RAM", "7B", AUTO, FULL_GPU, Q.F16, "32/32", [0]],
  ["2 × 24 GB GPU, 64 GB RAM", "13B", AUTO, FULL_GPU, Q.F16, "40/40", [0, 1]],
  ["2 × 24 GB GPU, 64 GB RAM", "13B", Q.Q8_0, FULL_GPU, Q.Q8_0, "40/40", [0]],
  ["2 × 24 GB GPU, 64 GB RAM", "70B", AUTO, FULL_GPU, Q.Q4_K_M, "80/80", [0, 1]],
  ["2 × 24 GB GPU, 64 GB RAM", "70B", Q.Q8_0, GPU_CPU_SPLIT, Q.Q8_0, "48/80", [0, 1]],
];

describe("recommendPlacement on injected hardware profiles", () => {
  const cases = EXPECTED.map((row) => ({
    title: `${row[0]}: ${row[1]} asked ${row[2] === AUTO ? "(best)" : Quantization[row[2]]} → ${PlacementKind[row[3]]} ${Quantization[row[4]]} ${row[5]} on [${row[6].join(",")}]`,
    row,
  }));
  it.each(cases)("$title", ({ row: [profile, model, asked, kind, quant, layers, accs] }) => {
    const r = recommendPlacement(
      { parameterCount: MODELS[model], quantization: asked, contextLength: 4096, batchSize: 1 },
      PROFILES[profile],
    );
    expect({
      kind: PlacementKind[r.kind],
      quantization: Quantization[r.quantization],
      layers: `${r.gpuLayers}/${r.totalLayers}`,
      accelerators: r.acceleratorIndexes,
    }).toEqual({ kind: PlacementKind[kind], quantization: Quantization[quant], layers, accelerators: accs });
    expect(r.reason).toMatch(/\d+\.\d GiB/);
    expect(r.estimate!.totalBytes).toBe(r.estimate!.weightsBytes + r.estimate!.kvCacheBytes + r.estimate!.overheadBytes);
  });

  it("prints the outcome table", () => {
    const lines = EXPECTED.map(([p, m, a, k, q, l, accs]) =>
      `| ${p} | ${m} | ${a === AUTO ? "(best)" : Quantization[a]} | ${PlacementKind[k]} | ${Quantization[q]} | ${l} | ${accs.join(",")} |`,
    );
    console.log(["| hardware | model | asked | kind | quantization | gpu layers | GPUs |", "|---|---|---|---|---|---|---|", ...lines].join("\n"));
  });
});

describe("memory estimate", () => {
  it("follows the documented formula for 7B Q4_K_M at 4096 tokens", () => {
    const shape = typicalShape(7e9);
    expect(shape).toMatchObject({ layers: 32, hidden: 4096, heads: 32, kvHeads: 8, keyLength: 128, valueLength: 128 });
    const e = estimateMemory(weightsFor(7e9, Q.Q4_K_M), shape, 4096, 1);
    expect(e.weights).toBe(4_243_750_000); // 7e9 × 4.85 / 8
    expect(e.kvCache).toBe(2 * 32 * 4096 * (8 * 128) * 1 * 2); // 512 MiB
    expect(e.overhead).toBe(300 * MiB + 4096 * 512 * 32 * 4); // context × n_ubatch × heads × f32
    expect(e.total).toBe(e.weights + e.kvCache + e.overhead);
  });

  it("scales KV cache with context and batch", () => {
    const shape = typicalShape(7e9);
    const a = estimateMemory(0, shape, 4096, 1);
    const b = estimateMemory(0, shape, 8192, 4);
    expect(b.kvCache).toBe(a.kvCache * 8);
  });

  it("uses GGUF shape metadata when given; missing kv heads mean no GQA", () => {
    expect(resolveShape(1e9, { layers: 5, hidden: 64, heads: 8, kvHeads: 4 })).toMatchObject({ layers: 5, kvHeads: 4, keyLength: 8, source: "metadata" });
    expect(resolveShape(1e9, { layers: 5, hidden: 64, heads: 8 })).toMatchObject({ kvHeads: 8 });
    expect(resolveShape(1e9, { layers: 5 }).source).toMatch(/^typical 1B/);
  });

  it("picks the nearest typical shape in log scale", () => {
    expect(typicalShape(8e9).layers).toBe(32); // 8B → 7B row
    expect(typicalShape(12e9).layers).toBe(40); // 12B → 13B row
    expect(typicalShape(72e9).layers).toBe(80);
    expect(typicalShape(260e3).layers).toBe(12); // tiny → smallest row
  });
});

describe("placement details", () => {
  it("gives the numbers in the reason with one decimal GiB", () => {
    const r = recommendPlacement({ parameterCount: 7e9, quantization: AUTO, contextLength: 4096, batchSize: 1 }, PROFILES["8 GB GPU, 16 GB RAM"]);
    expect(r.reason).toContain("7.0B parameters need 6.4 GiB at Q6_K (weights 5.3 + KV cache 0.5 for 4096 tokens + overhead 0.5)");
    expect(r.reason).toContain("fits fully on GPU 0 RTX 4060 8GB (7.1 GiB usable of 7.6 GiB free)");
    expect(r.reason).toContain("larger quantizations (F16, Q8_0) do not fit in VRAM");
  });

  it("says when a model does not fit, with the numbers", () => {
    const r = recommendPlacement({ parameterCount: 70e9, quantization: AUTO, contextLength: 4096, batchSize: 1 }, PROFILES["no GPU, 16 GB RAM"]);
    expect(r.reason).toContain("need 29.3 GiB even at Q2_K");
    expect(r.reason).toContain("no usable GPU and 11.7 GiB usable RAM");
  });

  it("says when a model is spread across GPUs", () => {
    const r = recommendPlacement({ parameterCount: 70e9, quantization: AUTO, contextLength: 4096, batchSize: 1 }, PROFILES["2 × 24 GB GPU, 64 GB RAM"]);
    expect(r.reason).toContain("spread across 2 GPUs");
  });

  it("ignores accelerators of kind OTHER and GPUs with less free VRAM than the margin", () => {
    const hw = machine(16, [cudaGpu(0, "busy", 24564, 400)]);
    hw.accelerators.push({ ...cudaGpu(1, "BMC adapter", 64, 64), kind: 5 });
    const r = recommendPlacement({ parameterCount: 1e9, quantization: Q.Q4_K_M, contextLength: 4096, batchSize: 1 }, hw);
    expect(PlacementKind[r.kind]).toBe("CPU_ONLY");
  });

  it("on Apple Silicon, a Metal split cannot count the same RAM twice", () => {
    const GiB = 1024 ** 3;
    const mac = machine(16, [{ ...cudaGpu(0, "Apple M2 Pro", 0, 0), kind: AcceleratorKind.METAL, vendor: "Apple", vramTotalBytes: BigInt(Math.floor((32 * GiB * 2) / 3)), vramFreeBytes: BigInt(20 * GiB) }]);
    mac.memory = { ...mac.memory!, totalBytes: BigInt(32 * GiB), freeBytes: BigInt(20 * GiB) };
    // 70B Q2_K needs 29.3 GiB: 50 layers would fit the 18.9 GiB of "VRAM" and the other 30 the
    // 18.0 GiB of usable RAM, but both are the same 20 GiB free.
    const big = recommendPlacement({ parameterCount: 70e9, quantization: Q.Q2_K, contextLength: 4096, batchSize: 1 }, mac);
    expect(PlacementKind[big.kind]).toBe("DOES_NOT_FIT");
    const mid = recommendPlacement({ parameterCount: 13e9, quantization: AUTO, contextLength: 4096, batchSize: 1 }, mac);
    expect([PlacementKind[mid.kind], Quantization[mid.quantization]]).toEqual(["FULL_GPU", "Q8_0"]);
  });

  it("places a model file's own weights when no quantization is asked", () => {
    const r = recommendPlacement(
      {
        parameterCount: 292_800,
        quantization: AUTO,
        contextLength: 4096,
        batchSize: 1,
        shapeHints: { layers: 5, hidden: 64, heads: 8, kvHeads: 4 },
        fileWeights: { bytes: 1_171_200, quantization: Q.F32, typeName: "F32" },
      },
      PROFILES["no GPU, 16 GB RAM"],
    );
    expect(r.estimate!.weightsBytes).toBe(1_171_200n);
    expect(r.estimate!.kvCacheBytes).toBe(BigInt(5 * 4096 * 4 * 16 * 2));
    expect(r.quantization).toBe(Q.F32);
    expect(r.totalLayers).toBe(5);
    expect(r.reason).not.toContain("shape assumed");
  });

  it("with 4 sequences of 32k tokens, KV cache and compute buffer push a 7B Q4_K_M off an 8 GB card", () => {
    const r = recommendPlacement({ parameterCount: 7e9, quantization: Q.Q4_K_M, contextLength: 32768, batchSize: 4 }, PROFILES["8 GB GPU, 64 GB RAM"]);
    expect(r.estimate!.kvCacheBytes).toBe(BigInt(32 * 32768 * 2048 * 4 * 2)); // 16 GiB
    expect(r.estimate!.overheadBytes).toBe(BigInt(300 * MiB + 32768 * 4 * 512 * 32 * 4)); // + 8 GiB compute
    expect(PlacementKind[r.kind]).toBe("CPU_ONLY");
    expect(r.reason).toContain("for 32768 tokens × 4 sequences");
  });
});
