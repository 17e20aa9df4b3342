// The timing loop of the synchronous micro benchmarks (config, registry, router, serialize).

/** Median ns per call over `rounds` rounds of `iterations` calls (after a warm-up of one round). */
export function measure(fn: () => unknown, iterations: number, rounds = 7): number {
  for (let i = 0; i < iterations; i++) fn();
  const perCall: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn();
    perCall.push(Number(process.hrtime.bigint() - t0) / iterations);
  }
  return perCall.sort((a, b) => a - b)[Math.floor(rounds / 2)]!;
}
