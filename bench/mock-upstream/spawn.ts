// Starts bench/mock-upstream/main.ts as its own process (stopped by PID).
import { fileURLToPath } from "node:url";
import { startProcess, type StartedProcess } from "../../test/fakes/spawn.js";
import type { MockUpstreamOptions } from "./server.js";

export const MOCK_UPSTREAM_SCRIPT = fileURLToPath(new URL("./main.ts", import.meta.url));

export interface MockUpstream extends StartedProcess {
  /** "http://127.0.0.1:PORT/v1" */
  baseUrl: string;
}

const FLAGS: Record<Exclude<keyof MockUpstreamOptions, "random">, string> = {
  latencyMs: "--latency-ms",
  latencyJitterMs: "--latency-jitter-ms",
  chunks: "--chunks",
  chunkIntervalMs: "--chunk-interval-ms",
  errorRate: "--error-rate",
  rateLimitRate: "--rate-limit-rate",
  replyBytes: "--reply-bytes",
};

export async function startMockUpstream(opts: Partial<Omit<MockUpstreamOptions, "random">> = {}): Promise<MockUpstream> {
  const args = ["--exit-with-parent"];
  for (const [key, flag] of Object.entries(FLAGS) as [keyof typeof FLAGS, string][]) {
    if (opts[key] !== undefined) args.push(flag, String(opts[key]));
  }
  const proc = await startProcess(MOCK_UPSTREAM_SCRIPT, args);
  return { ...proc, baseUrl: `${proc.url}/v1` };
}
