// The managed engine process (engines/stt/whisper-server/managed-process.ts) and the health it
// publishes (core/speech-engines.ts), against a stand-in engine (test/fakes/engine/server.mjs)
// that starts in well under a second and can misbehave on purpose: every failed start is a clear
// UNAVAILABLE naming the provider, and leaves no process behind.
import { fileURLToPath } from "node:url";
import { Code } from "@connectrpc/connect";
import { afterEach, describe, expect, it } from "vitest";
import { HealthState } from "../../gen/ts/hoosh/v1/models_pb.js";
import { HealthStatus } from "../../server/core/health-status.js";
import { ProviderHealth } from "../../server/core/provider-health.js";
import { watchSpeechEngines } from "../../server/core/speech-engines.js";
import { ManagedProcess, type EngineState, type LogFn } from "../../server/engines/stt/whisper-server/managed-process.js";
import type { Provider } from "../../server/providers/provider.js";
import { caught, expectError } from "../unit/helpers.js";
import { alive, until } from "./harness.js";

const FAKE = fileURLToPath(new URL("../fakes/engine/server.mjs", import.meta.url));
const engines: ManagedProcess[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

function engine(mode: string, opts: { keepAlive?: boolean; startTimeoutMs?: number } = {}) {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const log: LogFn = (level, msg, fields) => lines.push({ level, msg, fields });
  const states: EngineState[] = [];
  const listeners: ((s: EngineState) => void)[] = [];
  const e = new ManagedProcess({
    name: 'provider "stt"',
    command: process.execPath,
    args: [FAKE, mode],
    startTimeoutMs: opts.startTimeoutMs ?? 30_000,
    keepAlive: opts.keepAlive ?? false,
    log,
    healthCheck: async (url, signal) => {
      const res = await fetch(`${url}/models`, { signal });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`GET ${url}/models answered ${res.status}`);
    },
    onState: (s) => {
      states.push(s);
      for (const l of listeners) l(s);
    },
  });
  engines.push(e);
  // What WhisperServerProvider hands core/speech-engines.ts.
  const provider = {
    name: "stt",
    watchEngine: (l: (s: EngineState) => void) => {
      listeners.push(l);
      return e.state;
    },
  } as unknown as Provider;
  return { e, lines, states, provider };
}

const signal = () => new AbortController().signal;

describe("managed engine process", () => {
  it("starts on first use, logs its lines, is NOT_SERVING until ready; killed, it is restarted and SERVING again; close stops it", async () => {
    const { e, lines, states, provider } = engine("ok", { keepAlive: true });
    const breakers = new ProviderHealth();
    const status = new HealthStatus([["hoosh.provider.stt", "SERVING"]]);
    watchSpeechEngines([provider], breakers, status);
    const seen: string[] = [];
    status.subscribe("hoosh.provider.stt", (s) => seen.push(s));

    const url = await e.url(signal());
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(states).toEqual(["starting", "ready"]);
    expect(seen).toEqual(["NOT_SERVING", "SERVING"]);
    const first = e.pid!;
    await until(() => lines.some((l) => l.msg === "speech engine" && String(l.fields?.line).includes("fake engine: listening")), 5_000, "the engine's stderr line in the log");

    process.kill(first, "SIGKILL");
    await until(() => states.at(-1) === "ready" && e.pid !== first, 20_000, "the restart");
    expect(states).toEqual(["starting", "ready", "down", "starting", "ready"]);
    expect(seen).toEqual(["NOT_SERVING", "SERVING", "NOT_SERVING", "SERVING"]);
    expect(breakers.get("stt").state).toBe(HealthState.HEALTHY);
    expect(e.starts).toBe(2);
    expect(lines.some((l) => l.level === "warn" && l.msg === "speech engine exited; restarting")).toBe(true);

    const second = e.pid!;
    await e.close();
    expect(alive(second)).toBe(false);
    expectError(await caught(() => e.url(signal())), Code.Unavailable, 'provider "stt" is shut down');
  });

  it("an engine ready before hoosh watches it (a slow app build) is healthy and SERVING from the start", async () => {
    const { e, provider } = engine("ok");
    await e.url(signal());
    const breakers = new ProviderHealth();
    const status = new HealthStatus([["hoosh.provider.stt", "SERVING"]]);
    watchSpeechEngines([provider], breakers, status);
    expect(breakers.get("stt").state).toBe(HealthState.HEALTHY);
    expect(status.get("hoosh.provider.stt")).toBe("SERVING");
  });

  it("an engine that exits before it is ready: UNAVAILABLE with its exit code; down and degraded; the next request tries again", async () => {
    const { e, states, provider } = engine("exit");
    const breakers = new ProviderHealth();
    const status = new HealthStatus([["hoosh.provider.stt", "SERVING"]]);
    watchSpeechEngines([provider], breakers, status);
    expectError(await caught(() => e.url(signal())), Code.Unavailable, 'provider "stt": the speech engine exited (code 3) before it was ready');
    expect(states.at(-1)).toBe("down");
    expect(status.get("hoosh.provider.stt")).toBe("NOT_SERVING");
    expect(breakers.get("stt").state).toBe(HealthState.DEGRADED);
    await caught(() => e.url(signal()));
    expect(e.starts).toBe(2);
    expect(e.pid).toBeUndefined();
  });

  it("an engine that never prints its port: UNAVAILABLE after the start timeout, and the process is stopped", async () => {
    const { e, lines } = engine("silent", { startTimeoutMs: 1_500 });
    const pending = e.url(signal());
    await until(() => lines.some((l) => l.msg === "speech engine starting"), 5_000, "the start");
    const pid = lines.find((l) => l.msg === "speech engine starting")!.fields!.pid as number;
    expectError(await caught(() => pending), Code.Unavailable, 'provider "stt": the speech engine did not start within 1500 ms');
    await until(() => !alive(pid), 10_000, `engine ${pid} to be stopped`);
  });

  it("a wrong first line or a failing health check: UNAVAILABLE saying which", async () => {
    const garbage = engine("garbage").e;
    expectError(await caught(() => garbage.url(signal())), Code.Unavailable, 'the speech engine printed "hello there" instead of its port line');
    const unhealthy = engine("unhealthy").e;
    const err = await caught(() => unhealthy.url(signal()));
    expect(Code[err.code]).toBe("Unavailable");
    expect(err.rawMessage).toMatch(/\/v1\/models answered 503/);
  });

  it("a request cancelled while the engine starts is answered at once; the start goes on for the next", async () => {
    const { e, states } = engine("ok");
    const ctl = new AbortController();
    const pending = e.url(ctl.signal);
    expect(e.starting).toBeInstanceOf(Promise); // what pendingLoad() hands ListModels and grpc.health
    ctl.abort();
    expectError(await caught(() => pending), Code.Canceled, "the request was cancelled");
    await e.url(signal());
    expect(states).toEqual(["starting", "ready"]);
    expect(e.starts).toBe(1);
    expect(e.starting).toBeUndefined();
  });
});
