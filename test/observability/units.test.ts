// Small pieces: model label cardinality, the pino-backed logger, traceparent parsing.
import { describe, expect, it } from "vitest";
import { jsonLogger } from "../../server/observability/log.js";
import { configuredModelIds, ModelLabels, OTHER } from "../../server/observability/model-labels.js";
import { parseTraceparent, Tracing } from "../../server/observability/tracing.js";

describe("ModelLabels", () => {
  it("keeps configured literal ids, admits up to the cap, then answers other", () => {
    const ids = configuredModelIds({ providers: [{ models: ["gpt-4o", "claude-*"] }], aliases: { fast: ["gpt-4o-mini"] } });
    expect(ids).toEqual(["gpt-4o", "fast", "gpt-4o-mini"]);
    const labels = new ModelLabels(ids, 2);
    expect(labels.label("a")).toBe("a");
    expect(labels.label("b")).toBe("b");
    expect(labels.label("c")).toBe(OTHER);
    expect(labels.label("a")).toBe("a");
    expect(labels.label("gpt-4o")).toBe("gpt-4o");
    expect(labels.label("fast")).toBe("fast");
    expect(labels.label("x".repeat(500))).toBe(OTHER);
  });
});

describe("jsonLogger", () => {
  it("writes one JSON object per line with time, level, msg and fields; drops lines below its level", () => {
    const lines: string[] = [];
    const log = jsonLogger((l) => lines.push(l), { level: "info" });
    log.log("debug", "hidden");
    log.log("info", "listening", { port: 8088, pid: 1 });
    expect(lines).toHaveLength(1);
    const obj = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(obj).toMatchObject({ level: "info", msg: "listening", port: 8088, pid: 1 });
    expect(new Date(obj.time as string).toISOString()).toBe(obj.time);
    expect(lines[0]!.endsWith("\n")).toBe(true);
  });
});

describe("traceparent", () => {
  it("parses valid values and rejects invalid ones", () => {
    expect(parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")).toMatchObject({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", traceFlags: 1 });
    expect(parseTraceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01")).toBeUndefined();
    expect(parseTraceparent("garbage")).toBeUndefined();
  });

  it("without an exporter: a valid caller's traceparent passes through, and none is made up", () => {
    const tracing = new Tracing();
    const given = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    expect(tracing.start("x", "server", given, {}).traceparent).toBe(given);
    expect(tracing.start("x", "server", undefined, {}).traceparent).toBeUndefined();
    expect(tracing.start("x", "server", "garbage", {}).traceparent).toBeUndefined();
  });
});

describe("InstrumentedInference", () => {
  const setup = async (logPrompts: boolean) => {
    const { InstrumentedInference } = await import("../../server/observability/instrumented-inference.js");
    const { Metrics } = await import("../../server/observability/metrics.js");
    const { Tracing } = await import("../../server/observability/tracing.js");
    const lines: Record<string, unknown>[] = [];
    const logger = { log: (_l: string, msg: string, f?: Record<string, unknown>) => lines.push({ msg, ...f }) };
    const metrics = new Metrics();
    const inner = {
      generate: async () => ({ usage: { inputTokens: 2, outputTokens: 3 } }),
      embed: async () => ({}),
      async *generateStream() {
        yield { event: { case: "start", value: {} } };
        yield { event: { case: "text", value: { text: "a" } } };
        yield { event: { case: "text", value: { text: "b" } } };
      },
    };
    const deps = { metrics, models: new ModelLabels([]), tracing: new Tracing(), logger, logPrompts };
    return { inf: new InstrumentedInference(inner as never, "rpc", deps), lines, metrics };
  };
  const req = { model: "m", messages: [{ content: [{ part: { case: "text", value: "PROMPT-TEXT" } }] }] } as never;
  const call = () => ({ signal: new AbortController().signal, requestId: "r1" });

  it("adds the prompt to the access line only with log_prompts", async () => {
    for (const on of [false, true]) {
      const { inf, lines } = await setup(on);
      await inf.generate(req, call());
      expect(JSON.stringify(lines).includes("PROMPT-TEXT")).toBe(on);
    }
  });

  it("counts a stream the caller abandons as CANCELED and leaves none in flight", async () => {
    const { inf, lines, metrics } = await setup(false);
    for await (const ev of inf.generateStream(req, call())) if (ev.event.case === "text") break;
    expect(lines[0]).toMatchObject({ msg: "access", code: "CANCELED", route: "rpc:generate_stream" });
    expect(await metrics.text()).toContain('hoosh_streams_in_flight{route="rpc:generate_stream"} 0');
  });
});
