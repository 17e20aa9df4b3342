// Workers of `serve --workers N` share one stdout. Two processes with HOOSH_WORKER_INDEX set write
// many batched lines into the same pipe, whose reader starts late (the pipe fills and the writers
// block): every line read back is one whole JSON object that names its worker, none lost.
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";

const LINES = 3000;
const PAD = 700; // several lines per batched write, well under PIPE_BUF each

describe("one log stream for several workers", () => {
  it("lines of two workers written into one pipe never interleave mid-line", { timeout: 60_000 }, async () => {
    // One shell pipe shared by both writers, like the workers' inherited stdout.
    const script = [0, 1].map((w) => `HOOSH_WORKER_INDEX=${w} node --import tsx test/cluster/log-writer.ts ${LINES} ${PAD} &`).join(" ") + " wait";
    const child = spawn("sh", ["-c", `(${script}) | (sleep 1; cat)`], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(0);
    const lines = out.trimEnd().split("\n");
    const parsed = lines.map((l) => JSON.parse(l) as { worker: number; n: number; msg: string });
    expect(parsed.filter((p) => p.worker === 0)).toHaveLength(LINES);
    expect(parsed.filter((p) => p.worker === 1)).toHaveLength(LINES);
    // Each worker's lines arrive complete and in its own order.
    for (const w of [0, 1]) expect(parsed.filter((p) => p.worker === w).map((p) => p.n)).toEqual(Array.from({ length: LINES }, (_, i) => i));
  });
});
