// SIGTERM with 20 streams open: every stream finishes normally within
// shutdown_grace_ms and `hoosh serve` exits 0.
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { InferenceService, type GenerateStreamResponse } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { chat, Env, SERVER, SLOW_STREAM, waitForLog } from "./helpers.js";

vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const env = new Env();
beforeAll(() => env.start());
afterAll(() => env.stop());

it("SIGTERM during 20 open streams: all finish within the grace period, exit 0", async () => {
  const GRACE_MS = 5_000; // SERVER's shutdown_grace_ms; each stream runs ~2 s
  const server = await env.serve(await env.write(SERVER + env.provider("slow", `"*"`, SLOW_STREAM)));
  const inference = env.client(InferenceService, server);

  const streams = Array.from({ length: 20 }, () => [] as GenerateStreamResponse[]);
  const firsts: Promise<void>[] = [];
  const done = streams.map((events, i) => {
    let first!: () => void;
    firsts.push(new Promise<void>((r) => (first = r)));
    return (async () => {
      for await (const e of inference.generateStream(chat("m", `stream number ${i} of twenty, long enough for twenty chunks`))) {
        events.push(e);
        if (e.event.case === "text") first();
      }
    })();
  });
  await Promise.all(firsts);

  const termAt = performance.now();
  process.kill(server.pid, "SIGTERM");
  await Promise.all(done);
  const exit = await server.exited;
  expect(exit).toMatchObject({ code: 0, signal: null });
  expect(exit.at - termAt).toBeLessThan(GRACE_MS);
  for (const events of streams) {
    expect(events.filter((e) => e.event.case === "text")).toHaveLength(20);
    expect(events.at(-1)?.event.case).toBe("end");
  }
  expect(JSON.parse(await waitForLog(server, "draining"))).toMatchObject({ signal: "SIGTERM", in_flight: 20 });
  await waitForLog(server, "stopped");
});
