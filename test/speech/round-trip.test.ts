// Speech both ways on the embedded default config (`hoosh serve` with no --config, as `npm start`
// runs it): ten sentences written for this test are spoken by the local TTS engine (tts-1 →
// flite) and transcribed by the managed Whisper engine (whisper-1 → tiny.en), through the CLI,
// through REST with the official openai SDK, and over gRPC streaming; at least 85 % of the
// words must come back. Bad input is refused naming the field, on gRPC and REST.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import OpenAI, { toFile } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SpeechFormat, SpeechService } from "../../gen/ts/hoosh/v1/speech_pb.js";
import { AudioEncoding, TranscribeService } from "../../gen/ts/hoosh/v1/transcribe_pb.js";
import { runHoosh, spawnServe, type ServeProcess } from "../harness/cli.js";
import { installEngines, privateDataDir, userEnv } from "./harness.js";
import { corpusAccuracy, SENTENCES } from "./sentences.js";

const MIN_ACCURACY = 0.85;

describe("speech round trip on the default config", () => {
  let server: ServeProcess;
  let dataDir: string;
  let work: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    const installed = installEngines({ model: true });
    dataDir = privateDataDir(installed, { model: true });
    work = mkdtempSync(join(tmpdir(), "hoosh-speech-files-"));
    env = { ...userEnv, HOOSH_DATA_DIR: dataDir };
    server = await spawnServe(["--port", "0"], env);
  }, 900_000);
  afterAll(async () => {
    if (server && (server.child.exitCode !== null || server.child.signalCode !== null)) console.log(`hoosh exited early (${server.child.exitCode} ${server.child.signalCode}):\n${server.stderr()}\n${server.stdout().slice(-3000)}`);
    await server?.stop();
    for (const dir of [dataDir, work]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const grpc = () => createGrpcTransport({ baseUrl: server.url });

  it("hoosh speak → hoosh transcribe keeps the words", { timeout: 600_000 }, async () => {
    const pairs = [];
    for (const [i, sentence] of SENTENCES.entries()) {
      const file = join(work, `cli-${i}.wav`);
      const spoken = await runHoosh(["speak", "--server", server.url, sentence, "-o", file], { env });
      expect(spoken.code, spoken.stderr).toBe(0);
      expect(spoken.stderr).toMatch(/provider=text-to-speech characters=\d+ audio_seconds=[1-9]/);
      // A finished WAV file says its real data size.
      const wav = readFileSync(file);
      expect(wav.readUInt32LE(40)).toBe(wav.length - 44);
      const heard = await runHoosh(["transcribe", "--server", server.url, file], { env });
      expect(heard.code, heard.stderr).toBe(0);
      expect(heard.stderr).toMatch(/provider=speech-to-text audio_seconds=/);
      pairs.push({ reference: sentence, hypothesis: heard.stdout.trim() });
    }
    const accuracy = corpusAccuracy(pairs);
    console.log(`CLI round trip: ${(accuracy * 100).toFixed(1)} % of words\n${pairs.map((p) => `  ${p.hypothesis}`).join("\n")}`);
    expect(accuracy).toBeGreaterThanOrEqual(MIN_ACCURACY);
  });

  it("hoosh speak --voice --speed; hoosh transcribe --stream (partials on stderr) and --format json|srt|vtt", { timeout: 600_000 }, async () => {
    const text = `${SENTENCES[1]} ${SENTENCES[2]}`;
    const normal = join(work, "voice-normal.wav");
    const fast = join(work, "voice-fast.wav");
    for (const [file, speed] of [[normal, "1"], [fast, "2"]] as const) {
      const spoken = await runHoosh(["speak", "--server", server.url, "--voice", "rms", "--speed", speed, text, "-o", file], { env });
      expect(spoken.code, spoken.stderr).toBe(0);
    }
    // Twice the speed: about half the samples (flite's duration stretch), another voice than the default.
    const ratio = readFileSync(fast).length / readFileSync(normal).length;
    expect(ratio).toBeGreaterThan(0.4);
    expect(ratio).toBeLessThan(0.65);

    const streamed = await runHoosh(["transcribe", "--server", server.url, "--stream", normal], { env });
    expect(streamed.code, streamed.stderr).toBe(0);
    expect(streamed.stderr).toMatch(/^… \S/m); // at least one partial hypothesis before the final
    expect(corpusAccuracy([{ reference: text, hypothesis: streamed.stdout.trim() }])).toBeGreaterThanOrEqual(MIN_ACCURACY);

    const json = await runHoosh(["transcribe", "--server", server.url, "--format", "json", normal], { env });
    expect(json.code, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout) as { text: string };
    expect(corpusAccuracy([{ reference: text, hypothesis: parsed.text }])).toBeGreaterThanOrEqual(MIN_ACCURACY);
    const srt = await runHoosh(["transcribe", "--server", server.url, "--format", "srt", normal], { env });
    expect(srt.code, srt.stderr).toBe(0);
    expect(srt.stdout).toMatch(/^1\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}\n\S/);
    const vtt = await runHoosh(["transcribe", "--server", server.url, "--format", "vtt", "--stream", normal], { env });
    expect(vtt.code, vtt.stderr).toBe(0);
    expect(vtt.stdout).toMatch(/^WEBVTT\n\n\d\d:\d\d:\d\d\.\d{3} --> \d\d:\d\d:\d\d\.\d{3}\n\S/);
  });

  it("the official openai SDK: audio.speech.create (streamed body) → audio.transcriptions.create", { timeout: 600_000 }, async () => {
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused", maxRetries: 0 });
    const pairs = [];
    for (const [i, sentence] of SENTENCES.entries()) {
      // Half as OpenAI's default (MP3), half as WAV.
      const format = i % 2 === 0 ? undefined : ("wav" as const);
      const speech = await client.audio.speech.create({ model: "tts-1", voice: "alloy", input: sentence, ...(format && { response_format: format }) });
      expect(speech.headers.get("content-type")).toBe(format ? "audio/wav" : "audio/mpeg");
      expect(speech.headers.get("transfer-encoding")).toBe("chunked");
      const audio = Buffer.from(await speech.arrayBuffer());
      if (!format) expect(audio[0] === 0xff && (audio[1]! & 0xe0) === 0xe0).toBe(true); // an MPEG audio frame
      const text = await client.audio.transcriptions.create({ model: "whisper-1", file: await toFile(audio, format ? "s.wav" : "s.mp3") });
      pairs.push({ reference: sentence, hypothesis: text.text });
    }
    const accuracy = corpusAccuracy(pairs);
    console.log(`openai SDK round trip: ${(accuracy * 100).toFixed(1)} % of words`);
    expect(accuracy).toBeGreaterThanOrEqual(MIN_ACCURACY);
  });

  it("gRPC streaming: Synthesize chunks → TranscribeStream partials and final", { timeout: 600_000 }, async () => {
    const speech = createClient(SpeechService, grpc());
    const stt = createClient(TranscribeService, grpc());
    // All ten sentences as one 16 kHz PCM16 stream (about a minute: the partials' window slides).
    const pcm: Uint8Array[] = [];
    let characters = 0;
    let seconds = 0;
    let rate = 0;
    for await (const res of speech.synthesize({ model: "tts-1", input: SENTENCES.join(" "), voice: "nova", format: SpeechFormat.PCM16 })) {
      const e = res.event;
      if (e.case === "start") rate = e.value.sampleRateHz;
      if (e.case === "audio") pcm.push(e.value);
      if (e.case === "end") {
        characters = e.value.usage?.inputCharacters ?? 0;
        seconds = e.value.durationSeconds;
        expect(e.value.usage?.audioSeconds).toBeCloseTo(seconds, 3);
      }
    }
    expect(rate).toBe(16_000);
    expect(pcm.length).toBeGreaterThan(5); // streamed sentence by sentence, not one blob
    expect(characters).toBe(SENTENCES.join(" ").length);
    const audio = Buffer.concat(pcm);
    expect(audio.length / 2 / rate).toBeCloseTo(seconds, 2);

    async function* messages() {
      yield { payload: { case: "config" as const, value: { model: "whisper-1", encoding: AudioEncoding.PCM16_LE, sampleRateHz: rate, channels: 1 } } };
      // Half a second per message, as a live client would send it.
      for (let at = 0; at < audio.length; at += rate) {
        yield { payload: { case: "audio" as const, value: audio.subarray(at, at + rate) } };
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    const partials: string[] = [];
    let final = "";
    let usageSeconds = 0;
    for await (const res of stt.transcribeStream(messages())) {
      if (res.event.case === "partial") partials.push(res.event.value.text);
      if (res.event.case === "final") {
        final = res.event.value.text;
        usageSeconds = res.event.value.usage?.audioSeconds ?? 0;
      }
    }
    const accuracy = corpusAccuracy([{ reference: SENTENCES.join(" "), hypothesis: final }]);
    console.log(`gRPC streaming round trip: ${partials.length} partials, final ${(accuracy * 100).toFixed(1)} % of words`);
    expect(partials.length).toBeGreaterThan(0);
    expect(accuracy).toBeGreaterThanOrEqual(MIN_ACCURACY);
    expect(usageSeconds).toBeCloseTo(seconds, 1);
  });

  describe("bad input is INVALID_ARGUMENT / 400 naming the field", () => {
    const cases: [string, Record<string, unknown>, string, string][] = [
      ["empty text", { input: "" }, "input", "input"],
      ["4,097 characters", { input: "a".repeat(4097) }, "input", "input"],
      ["speed 0", { speed: 0 }, "speed", "speed"],
      ["speed 5", { speed: 5 }, "speed", "speed"],
      ["an unknown voice", { voice: "nobody" }, "voice", "voice"],
      ["an unknown format", { format: 99, response_format: "ogg" }, "format", "response_format"],
    ];
    for (const [what, fields, rpcField, restParam] of cases) {
      it(`${what}: gRPC`, async () => {
        const { response_format: _, ...rpcFields } = fields;
        const speech = createClient(SpeechService, grpc());
        const err = await (async () => {
          for await (const _r of speech.synthesize({ model: "tts-1", input: "Hello there.", ...rpcFields })) void _r;
        })().then(
          () => undefined,
          (e: unknown) => ConnectError.from(e),
        );
        expect(err?.code).toBe(Code.InvalidArgument);
        expect(err?.rawMessage).toMatch(new RegExp(`^${rpcField}: `));
      });
      it(`${what}: REST`, async () => {
        const { format: _, ...restFields } = fields;
        const res = await fetch(`${server.url}/v1/audio/speech`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model: "tts-1", input: "Hello there.", ...restFields }),
        });
        expect(res.status).toBe(400);
        const body = (await res.json()) as { error: { param: string; message: string } };
        expect(body.error.param).toBe(restParam);
        expect(body.error.message).toMatch(new RegExp(`^${restParam}: `));
      });
    }
  });
});
