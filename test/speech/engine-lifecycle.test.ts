// The managed speech-to-text engine's life inside hoosh: started with hoosh, its health in
// grpc.health and ModelsService, killed (kill -9) in the middle of a request and restarted by
// itself so the next request succeeds, and gone with hoosh: no child process is left (checked by
// PID), also after a restart.
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HealthCheckResponse_ServingStatus, Health } from "../../gen/ts/grpc/health/v1/health_pb.js";
import { HealthState, ModelsService } from "../../gen/ts/hoosh/v1/models_pb.js";
import { SpeechFormat, SpeechService } from "../../gen/ts/hoosh/v1/speech_pb.js";
import { AudioEncoding, TranscribeService } from "../../gen/ts/hoosh/v1/transcribe_pb.js";
import { spawnServe, type ServeProcess } from "../harness/cli.js";
import { alive, enginePids, installEngines, privateDataDir, until, userEnv } from "./harness.js";
import { wordAccuracy } from "./sentences.js";

const CONFIG = `
[[providers]]
name = "stt"
type = "whisper-server"
models = ["whisper-tiny.en"]

[[providers]]
name = "tts"
type = "flite"
models = ["flite"]

[aliases]
whisper-1 = "whisper-tiny.en"
tts-1 = "flite"
`;
const SENTENCE = "The old lighthouse keeper painted the door a bright shade of green.";

/** What a PID is, for a failure message: its state and command line. */
function procInfo(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return `${stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0]} ${readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ")}`;
  } catch {
    return "gone";
  }
}

/**
 * Still a process that runs: an exited one that the init process has not reaped yet (state Z,
 * reparented when hoosh exited) is not.
 */
function running(pid: number): boolean {
  return alive(pid) && !procInfo(pid).startsWith("Z ");
}

/** PIDs whose parent is `ppid` (from /proc). */
function childrenOf(ppid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) === ppid) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

describe("managed speech-to-text engine", () => {
  let server: ServeProcess;
  let dataDir: string;
  let wav: Buffer;
  beforeAll(async () => {
    dataDir = privateDataDir(installEngines());
    const config = join(dataDir, "hoosh.toml");
    writeFileSync(config, CONFIG);
    server = await spawnServe(["--config", config, "--port", "0"], { ...userEnv, HOOSH_DATA_DIR: dataDir });
    // The audio for every request: the local TTS engine speaks the sentence.
    const speech = createClient(SpeechService, createGrpcTransport({ baseUrl: server.url }));
    const chunks: Uint8Array[] = [];
    for await (const res of speech.synthesize({ model: "tts-1", input: SENTENCE, format: SpeechFormat.WAV })) if (res.event.case === "audio") chunks.push(res.event.value);
    wav = Buffer.concat(chunks);
  }, 900_000);
  afterAll(async () => {
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const transcribe = async () => {
    const stt = createClient(TranscribeService, createGrpcTransport({ baseUrl: server.url }));
    async function* messages() {
      yield { payload: { case: "config" as const, value: { model: "whisper-1", encoding: AudioEncoding.WAV } } };
      yield { payload: { case: "audio" as const, value: wav } };
    }
    return stt.transcribe(messages());
  };

  it("starts with hoosh and reports its health", { timeout: 180_000 }, async () => {
    await until(() => enginePids(server.stdout()).length === 1, 120_000, "the engine's ready line");
    const [pid] = enginePids(server.stdout());
    expect(childrenOf(server.pid)).toContain(pid);
    const health = createClient(Health, createGrpcTransport({ baseUrl: server.url }));
    expect((await health.check({ service: "hoosh.provider.stt" })).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    const models = createClient(ModelsService, createGrpcTransport({ baseUrl: server.url }));
    const model = await models.getModel({ id: "whisper-tiny.en" });
    expect(model.model?.health).toBe(HealthState.HEALTHY);
    const res = await transcribe();
    expect(wordAccuracy(SENTENCE, res.text)).toBeGreaterThanOrEqual(0.85);
  });

  it("killed mid-request, it is restarted and the next request succeeds; grpc.health says so meanwhile", { timeout: 180_000 }, async () => {
    const [first] = enginePids(server.stdout());
    // Every change of the provider's health is pushed to a watcher.
    const health = createClient(Health, createGrpcTransport({ baseUrl: server.url }));
    const watching = new AbortController();
    const statuses: HealthCheckResponse_ServingStatus[] = [];
    const watched = (async () => {
      for await (const res of health.watch({ service: "hoosh.provider.stt" }, { signal: watching.signal })) statuses.push(res.status);
    })().catch(() => undefined);
    await until(() => statuses.length > 0, 10_000, "the first health status");
    expect(statuses).toEqual([HealthCheckResponse_ServingStatus.SERVING]);
    const inFlight = transcribe().then(
      () => "ok",
      (err: unknown) => String(err),
    );
    // Mid-run: the engine has taken the request when it logs the audio it is processing.
    const processed = () => (server.stdout().match(/Processing audio with duration/g) ?? []).length;
    const before = processed();
    await until(() => processed() > before, 60_000, "the engine to start on the request");
    process.kill(first!, "SIGKILL");
    const outcome = await inFlight;
    console.log(`in-flight request when the engine was killed: ${outcome}`);
    await until(() => !alive(first!), 10_000, "the killed engine to be gone");
    // hoosh writes its log asynchronously: the line comes when it comes.
    await until(() => /"msg":"speech engine exited; restarting"/.test(server.stdout()), 10_000, "the restart log line");
    const res = await transcribe();
    expect(wordAccuracy(SENTENCE, res.text)).toBeGreaterThanOrEqual(0.85);
    const pids = enginePids(server.stdout());
    expect(pids.length).toBe(2);
    expect(pids[1]).not.toBe(first);
    expect(alive(pids[1]!)).toBe(true);
    // NOT_SERVING from the kill until the restarted engine was ready, then SERVING again.
    await until(() => statuses.at(-1) === HealthCheckResponse_ServingStatus.SERVING, 10_000, "SERVING after the restart");
    watching.abort();
    await watched;
    expect(statuses).toEqual([HealthCheckResponse_ServingStatus.SERVING, HealthCheckResponse_ServingStatus.NOT_SERVING, HealthCheckResponse_ServingStatus.SERVING]);
  });

  it("stops with hoosh: no child process is left", { timeout: 120_000 }, async () => {
    const pids = enginePids(server.stdout());
    const children = childrenOf(server.pid).map((pid) => ({ pid, what: procInfo(pid) }));
    console.log(`hoosh's children before it stops:\n${children.map((c) => `  ${c.pid} ${c.what}`).join("\n")}`);
    expect(children.map((c) => c.pid)).toEqual(expect.arrayContaining(pids.slice(-1)));
    // SIGTERM and wait for hoosh's own graceful stop however long a busy machine makes it (the
    // harness's stop() would SIGKILL it after 5 s, orphaning the children this test is about).
    process.kill(server.pid, "SIGTERM");
    await until(() => server.child.exitCode !== null || server.child.signalCode !== null, 60_000, "hoosh to stop after SIGTERM");
    expect(server.child.exitCode).toBe(0);
    expect(server.stdout()).toMatch(/"msg":"stopped"/);
    // Exited and reaped, or exited and waiting for the init process to reap it (hoosh is gone):
    // either way nothing hoosh started is still running.
    for (const pid of [...pids, ...children.map((c) => c.pid)]) expect(running(pid), `process ${pid} (was: ${children.find((c) => c.pid === pid)?.what ?? "engine"}): ${procInfo(pid)}`).toBe(false);
  });
});

describe("hoosh killed with kill -9", () => {
  it("takes its speech engine with it", { timeout: 300_000 }, async () => {
    const dataDir = privateDataDir(installEngines());
    try {
      const config = join(dataDir, "hoosh.toml");
      writeFileSync(config, CONFIG);
      const server = await spawnServe(["--config", config, "--port", "0"], { ...userEnv, HOOSH_DATA_DIR: dataDir });
      await until(() => enginePids(server.stdout()).length === 1, 120_000, "the engine's ready line");
      const [pid] = enginePids(server.stdout());
      await server.stop("SIGKILL");
      await until(() => !alive(pid!), 10_000, `engine ${pid} to exit after hoosh was killed`);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
