// The whisper provider's plumbing. No ggml weights are available here (no
// npm or Debian package ships them), so: the real worker with @napi-rs/whisper
// is exercised on its error paths (missing and invalid model files), and the
// worker protocol, event-loop freedom and cancellation with a stub worker
// that blocks its process like full() does. Whisper's accuracy is NOT tested.
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterEach, describe, expect, it } from "vitest";
import { WhisperProvider, type WhisperOptions } from "../../server/providers/stt/whisper.js";
import { buildStack, serveOverGrpc } from "../transcribe/harness.js";
import { chunks100ms, fliteWav, streamTranscribe, wavConfig } from "./harness.js";

const STUB = new URL("./fixtures/stub-whisper-worker.mjs", import.meta.url);
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function serveWhisper(opts: Partial<WhisperOptions>) {
  const provider = new WhisperProvider({ name: "whisper", models: ["*"], model_path: "/nonexistent/ggml-tiny.en.bin", threads: 1, ...opts });
  const stack = buildStack("http://127.0.0.1:1", { providers: () => [provider] });
  const wire = await serveOverGrpc(stack);
  closers.push(async () => {
    await wire.close();
    await provider.close();
    await stack.close();
  });
  return { provider, client: wire.client };
}

async function failure(p: Promise<unknown>): Promise<ConnectError> {
  return p.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (err) => ConnectError.from(err),
  );
}

describe("whisper provider (real @napi-rs/whisper worker, no weights)", () => {
  it("a missing model file is FAILED_PRECONDITION naming model_path; the server keeps serving", async () => {
    const { provider, client } = await serveWhisper({});
    const wav = await fliteWav("Hello there.");
    const err = await failure(streamTranscribe(client, wavConfig({ model: "whisper-tiny" }), [wav], 0));
    expect(err.code).toBe(Code.FailedPrecondition);
    expect(err.rawMessage).toMatch(/model_path "\/nonexistent\/ggml-tiny.en.bin".*No such file/);
    expect(provider.workerStats.busy).toBe(0);
  });

  it("a file that is not a ggml model is FAILED_PRECONDITION too", async () => {
    const junk = join(tmpdir(), `hoosh-junk-${process.pid}.bin`);
    writeFileSync(junk, Buffer.alloc(4096, 7));
    const { client } = await serveWhisper({ model_path: junk });
    const err = await failure(streamTranscribe(client, wavConfig({ model: "whisper-tiny" }), [await fliteWav("Hello.")], 0));
    expect(err.code).toBe(Code.FailedPrecondition);
    expect(err.rawMessage).toMatch(/Failed to initialize/);
  });
});

describe("whisper provider (stub worker: the protocol)", () => {
  it("TranscribeStream sends only the final, with timed segments, while the event loop stays free", async () => {
    const { client } = await serveWhisper({ workerUrl: STUB });
    const wav = await fliteWav("Hello there.");
    const lag = monitorEventLoopDelay({ resolution: 5 });
    lag.enable();
    const r = await streamTranscribe(client, wavConfig({ model: "whisper-tiny", prompt: "block:1500" }), chunks100ms(wav, 32_000), 0);
    lag.disable();
    expect(r.partials).toEqual([]);
    expect(r.final!.text).toMatch(/^stub heard \d+ samples in en$/);
    expect(r.final!.segments).toBe(1);
    expect(r.final!.provider).toBe("whisper");
    // The worker blocked its own process for 1.5 s; the event loop saw far less.
    expect(lag.max / 1e6).toBeLessThan(500);
  });

  it("cancelling terminates the busy worker; the next request gets a fresh one", async () => {
    const { provider, client } = await serveWhisper({ workerUrl: STUB });
    const wav = await fliteWav("Hello there.");
    const controller = new AbortController();
    const run = streamTranscribe(client, wavConfig({ model: "whisper-tiny", prompt: "block:20000" }), [wav], 0, controller.signal);
    await expect.poll(() => provider.workerStats.busy).toBe(1);
    await new Promise((r) => setTimeout(r, 200));
    const started = performance.now();
    controller.abort();
    expect((await failure(run)).code).toBe(Code.Canceled);
    await expect.poll(() => provider.workerStats, { timeout: 5_000 }).toMatchObject({ busy: 0, created: 0 });
    expect(performance.now() - started).toBeLessThan(5_000);
    const r = await streamTranscribe(client, wavConfig({ model: "whisper-tiny" }), [wav], 0);
    expect(r.final!.text).toMatch(/^stub heard/);
  });
});
