/**
 * CPU flags that matter for inference, normalised from /proc/cpuinfo-style names (what
 * systeminformation reports on Linux; macOS sysctl names are upper-case and mapped the same way).
 * Spellings vary between kernels and platforms ("avx512vnni" vs "avx512_vnni", "pni" for SSE3,
 * "asimd" for NEON); each flag is reported under one canonical name, in the order below.
 */

const CANONICAL: readonly string[] = [
  // x86
  "sse3", "ssse3", "sse4_1", "sse4_2", "avx", "avx2", "fma", "f16c", "avx_vnni",
  "avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd", "avx512_vnni", "avx512_bf16",
  "avx512_vbmi", "avx512_fp16", "amx_tile", "amx_int8", "amx_bf16",
  // arm
  "neon", "fp16", "dotprod", "i8mm", "bf16", "sve", "sve2", "sme",
];

const ALIASES: Readonly<Record<string, string>> = {
  pni: "sse3",
  "sse4.1": "sse4_1",
  "sse4.2": "sse4_2",
  "avx1.0": "avx",
  avxvnni: "avx_vnni",
  avx512vnni: "avx512_vnni",
  avx512bf16: "avx512_bf16",
  avx512vbmi: "avx512_vbmi",
  avx512fp16: "avx512_fp16",
  asimd: "neon",
  asimdhp: "fp16",
  fphp: "fp16",
  asimddp: "dotprod",
};

const ORDER = new Map(CANONICAL.map((f, i) => [f, i]));

/** "fpu ... avx2 fma avx512_vnni ..." → ["avx", "avx2", "fma", "avx512_vnni"], canonical order. */
export function normaliseCpuFlags(raw: string, arch: string): string[] {
  const found = new Set<string>();
  for (const token of raw.toLowerCase().split(/[\s,]+/)) {
    const name = ALIASES[token] ?? token;
    if (ORDER.has(name)) found.add(name);
  }
  // Every 64-bit ARM core has Advanced SIMD, whether or not the OS lists it (macOS lists nothing).
  if (arch === "arm64") found.add("neon");
  return [...found].sort((a, b) => ORDER.get(a)! - ORDER.get(b)!);
}
