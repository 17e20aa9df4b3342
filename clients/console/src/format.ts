// Numbers as people read them.
const int = new Intl.NumberFormat("en-US");

export function count(n: number | bigint): string {
  return int.format(n);
}

/** Micro-USD as dollars: $0.0012 for small sums, cents for larger. */
export function usd(micros: number | bigint): string {
  const d = Number(micros) / 1_000_000;
  return `$${d < 1 ? d.toFixed(4) : d.toFixed(2)}`;
}

export function ms(v: number): string {
  return v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`;
}

export function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)} %`;
}

export function bytes(n: number | bigint): string {
  let v = Number(n);
  for (const unit of ["B", "KiB", "MiB", "GiB", "TiB"]) {
    if (v < 1024 || unit === "TiB") return `${v.toFixed(unit === "B" ? 0 : 1)} ${unit}`;
    v /= 1024;
  }
  return `${v} B`;
}
