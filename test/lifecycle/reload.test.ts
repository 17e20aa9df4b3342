// Config reload on SIGHUP through a real `hoosh serve`: a changed config serves
// new requests, a stream in flight finishes on the old config, a broken config
// is rejected and the old one stays, budget usage survives.
import { writeFile } from "node:fs/promises";
import { ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { BudgetService } from "../../gen/ts/hoosh/v1/budget_pb.js";
import { InferenceService, type GenerateStreamResponse } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { chat, Env, SERVER, SLOW_STREAM, waitForLog, countLogs } from "./helpers.js";

vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const env = new Env();
beforeAll(() => env.start());
afterAll(() => env.stop());

describe("SIGHUP reloads the config file", () => {
  it("a new provider serves new requests; a stream in flight finishes on the old config", async () => {
    const path = await env.write(SERVER + env.provider("slow", `"a-*"`, SLOW_STREAM));
    const server = await env.serve(path);
    const inference = env.client(InferenceService, server);
    await expect(inference.generate(chat("b-model", "hi"))).rejects.toBeInstanceOf(ConnectError);

    // A 2 s stream on the old config; reload while it runs.
    const events: GenerateStreamResponse[] = [];
    let started!: () => void;
    const gotFirst = new Promise<void>((r) => (started = r));
    const streamDone = (async () => {
      for await (const e of inference.generateStream(chat("a-model", "a stream in flight during the reload"))) {
        events.push(e);
        if (e.event.case === "text") started();
      }
    })();
    await gotFirst;

    await writeFile(path, SERVER + env.provider("slow", `"a-*"`) + env.provider("second", `"b-*"`));
    process.kill(server.pid, "SIGHUP");
    const reloaded = await waitForLog(server, "reloaded");
    expect(JSON.parse(reloaded)).toMatchObject({ providers: ["slow", "second"], source: path });

    // New requests: the new provider answers, and the old one without its slow headers.
    const res = await inference.generate(chat("b-model", "hello"));
    expect(res.usage?.provider).toBe("second");
    const fast = performance.now();
    await inference.generate(chat("a-model", "fast now"));
    expect(performance.now() - fast).toBeLessThan(1_000);
    expect(events.some((e) => e.event.case === "end")).toBe(false); // still streaming

    await streamDone;
    expect(events.filter((e) => e.event.case === "text")).toHaveLength(20);
    const end = events.at(-1)?.event;
    expect(end?.case).toBe("end");
    expect(end?.case === "end" && end.value.usage?.provider).toBe("slow");
  });

  it("a broken config is rejected with every problem logged; the old config keeps serving", async () => {
    const path = await env.write(SERVER + env.provider("fake", `"*"`));
    const server = await env.serve(path);
    const inference = env.client(InferenceService, server);

    await writeFile(path, `${SERVER}prot = 1\n${env.provider("fake", `"*"`)}\n[router]\nstrategy = "fastest"\n`);
    process.kill(server.pid, "SIGHUP");
    const line = JSON.parse(await waitForLog(server, "reload failed; the running config stays")) as { level?: string; problems: string[] };
    expect(line.problems.join("\n")).toContain("server.prot");
    expect(line.problems.join("\n")).toContain("router.strategy");
    expect(line.problems.length).toBeGreaterThanOrEqual(2);

    const res = await inference.generate(chat("any-model", "still here"));
    expect(res.usage?.provider).toBe("fake");

    // A restart-only key is named too, and nothing is applied.
    await writeFile(path, `${SERVER}max_concurrent_streams = 7\n${env.provider("other", `"*"`)}`);
    const before = countLogs(server, "reload failed; the running config stays");
    process.kill(server.pid, "SIGHUP");
    const second = await waitForLog(server, "reload failed; the running config stays", before + 1);
    expect(second).toContain("server.max_concurrent_streams");
    expect(second).toContain("restart");
    expect((await inference.generate(chat("any-model", "x"))).usage?.provider).toBe("fake");
  });

  it("budget usage survives a reload (memory store reused)", async () => {
    const budget = (capacity: number) => `\n[[budgets]]\nname = "team"\ncapacity = ${capacity}\n`;
    const path = await env.write(SERVER + env.provider("fake", `"*"`) + budget(10_000));
    const server = await env.serve(path);
    const budgets = env.client(BudgetService, server);

    const r = await budgets.reserve({ pool: "team", tokens: 500n });
    await budgets.commit({ reservationId: r.reservationId, usage: { inputTokens: 300, outputTokens: 120 } });
    const before = (await budgets.getPool({ name: "team" })).pool!;
    expect(before.usedTokens).toBe(420n);

    await writeFile(path, SERVER + env.provider("fake", `"*"`) + budget(20_000));
    process.kill(server.pid, "SIGHUP");
    await waitForLog(server, "reloaded");
    const after = (await budgets.getPool({ name: "team" })).pool!;
    expect(after.capacityTokens).toBe(20_000n);
    expect(after.usedTokens).toBe(420n);
  });
});
