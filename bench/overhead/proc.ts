// Per-process resource readings from /proc (Linux): CPU time (utime+stime) and
// peak RSS (VmHWM), summed over a process and its descendants (LiteLLM/uvicorn
// may fork workers). Off Linux every reading is undefined.
import { readdir, readFile } from "node:fs/promises";

const TICKS_PER_S = 100; // USER_HZ on Linux

async function stat(pid: number): Promise<{ ppid: number; cpuTicks: number } | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, "utf8");
    const f = text.slice(text.lastIndexOf(")") + 2).split(" "); // f[0] is field 3 (state)
    return { ppid: Number(f[1]), cpuTicks: Number(f[11]) + Number(f[12]) }; // fields 14 utime, 15 stime
  } catch {
    return undefined;
  }
}

async function tree(root: number): Promise<number[]> {
  let pids: number[];
  try {
    pids = (await readdir("/proc")).filter((n) => /^\d+$/.test(n)).map(Number);
  } catch {
    return [root];
  }
  const parent = new Map<number, number>();
  await Promise.all(pids.map(async (p) => { const s = await stat(p); if (s) parent.set(p, s.ppid); }));
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const [p, pp] of parent) if (pp === out[i]) out.push(p);
  return out;
}

/** CPU seconds (user+system) used so far by pid and its descendants. */
export async function cpuSeconds(pid: number): Promise<number | undefined> {
  const pids = await tree(pid);
  let ticks = 0;
  let seen = false;
  for (const p of pids) { const s = await stat(p); if (s) { ticks += s.cpuTicks; seen = true; } }
  return seen ? ticks / TICKS_PER_S : undefined;
}

/** Peak resident set (VmHWM) in MiB of pid plus its descendants. */
export async function peakRssMiB(pid: number): Promise<number | undefined> {
  let kb = 0;
  let seen = false;
  for (const p of await tree(pid)) {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(await readFile(`/proc/${p}/status`, "utf8"));
      if (m) { kb += Number(m[1]); seen = true; }
    } catch { /* exited */ }
  }
  return seen ? kb / 1024 : undefined;
}
