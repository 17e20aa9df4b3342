// The speech pieces on their own: request checks, sentence splitting, the sliding window of
// partials, the streaming encoders, and the local TTS provider's own checks and cancellation.
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { SpeechFormat } from "../../gen/ts/hoosh/v1/speech_pb.js";
import { characterCount, validateSpeech } from "../../server/core/speech-validate.js";
import { createEncoder, streamingWavHeader } from "../../server/engines/tts/encoders.js";
import { splitSentences } from "../../server/engines/tts/sentences.js";
import { SlidingWindow } from "../../server/providers/stt/sliding-window.js";
import { FliteProvider } from "../../server/providers/tts/flite.js";
import type { SpeechEvent, SpeechRequest } from "../../server/providers/provider.js";

const base = { model: "tts-1", input: "Hello there.", voice: "", format: SpeechFormat.UNSPECIFIED, instructions: "", budgetPool: "" };

function invalid(fn: () => unknown): ConnectError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.InvalidArgument);
    return err as ConnectError;
  }
  throw new Error("expected INVALID_ARGUMENT");
}

describe("validateSpeech", () => {
  it("fills speed 1 when unset and keeps what is allowed", () => {
    expect(validateSpeech(base).speed).toBe(1);
    expect(validateSpeech({ ...base, speed: 0.25 }).speed).toBe(0.25);
    expect(validateSpeech({ ...base, speed: 4 }).speed).toBe(4);
    expect(validateSpeech({ ...base, input: "é".repeat(4096) }).input).toHaveLength(4096);
  });

  it.each([
    [{ model: " " }, /^model: is required/],
    [{ input: "" }, /^input: is empty/],
    [{ input: "  \n" }, /^input: is empty/],
    [{ input: "a".repeat(4097) }, /^input: has 4097 characters, more than the limit of 4096/],
    [{ speed: 0 }, /^speed: 0 is out of range; allowed: 0.25 to 4/],
    [{ speed: 5 }, /^speed: 5 is out of range/],
    [{ speed: 0.2 }, /^speed: 0.2 is out of range/],
    [{ speed: Number.NaN }, /^speed: NaN is out of range/],
    [{ format: 42 as SpeechFormat }, /^format: 42 is not a speech format; use one of: SPEECH_FORMAT_UNSPECIFIED, SPEECH_FORMAT_WAV/],
    [{ voice: "v".repeat(300) }, /^voice: .* is longer than 256 characters/],
  ])("refuses %o naming the field", (change, message) => {
    expect(invalid(() => validateSpeech({ ...base, ...change })).rawMessage).toMatch(message);
  });

  it("counts characters as a reader does (an emoji is one)", () => {
    expect(characterCount("héllo 👋")).toBe(7);
    expect(invalid(() => validateSpeech({ ...base, input: "👋".repeat(4097) })).rawMessage).toMatch(/4097 characters/);
  });
});

describe("splitSentences", () => {
  it("splits at sentence ends and keeps the punctuation", () => {
    expect(splitSentences("One fish. Two fish! Red fish? Blue: fish")).toEqual(["One fish.", "Two fish!", "Red fish?", "Blue:", "fish"]);
  });
  it("cuts long sentences at commas or spaces, never losing a word", () => {
    const long = Array.from({ length: 120 }, (_, i) => `word${i}`).join(" ");
    const pieces = splitSentences(long);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.every((p) => p.length <= 240)).toBe(true);
    expect(pieces.join(" ")).toBe(long);
  });
  it("drops pieces with nothing to say", () => {
    expect(splitSentences("... !!! \n\n Hi.")).toEqual(["Hi."]);
  });
});

describe("SlidingWindow", () => {
  it("decodes the whole audio while it fits the window, then slides and freezes what left it", () => {
    const w = new SlidingWindow(10, 2);
    expect(w.due(1)).toBe(false);
    expect(w.due(2)).toBe(true);
    expect(w.start(4)).toBe(0);
    expect(w.update(0, [{ text: "one two", startSeconds: 0, endSeconds: 3 }], "one two")).toBe("one two");
    // 14 s: the window starts at 4; the segment that ended at 3 s is frozen.
    const from = w.start(14);
    expect(from).toBe(4);
    const text = w.update(from, [{ text: "three", startSeconds: 1, endSeconds: 2 }], "three");
    expect(text).toBe("one two three");
    expect(w.due(15)).toBe(false);
  });
});

describe("encoders", () => {
  const tone = new Int16Array(16_000).map((_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 16_000)));

  it("WAV: a streaming header (sizes 0xFFFFFFFF) before the first samples", () => {
    const enc = createEncoder("wav", 16_000);
    const first = Buffer.from(enc.push(tone.subarray(0, 100)));
    expect(first.toString("latin1", 0, 4)).toBe("RIFF");
    expect(first.readUInt32LE(4)).toBe(0xffffffff);
    expect(first.readUInt32LE(24)).toBe(16_000);
    expect(first.readUInt32LE(40)).toBe(0xffffffff);
    expect(first.length).toBe(44 + 200);
    expect(Buffer.from(enc.push(tone.subarray(100, 200))).length).toBe(200);
    expect(enc.end().length).toBe(0);
    expect(streamingWavHeader(8000, 10).readUInt32LE(4)).toBe(46);
  });

  it("WAV with no samples is still a header", () => {
    expect(createEncoder("wav", 16_000).end().length).toBe(44);
  });

  it("PCM: the samples' little-endian bytes", () => {
    const bytes = Buffer.from(createEncoder("pcm", 16_000).push(Int16Array.of(1, -2)));
    expect([...bytes]).toEqual([1, 0, 0xfe, 0xff]);
  });

  it("MP3: MPEG audio frames (sync word first), about 64 kbit/s", () => {
    const enc = createEncoder("mp3", 16_000);
    const out = Buffer.concat([Buffer.from(enc.push(tone)), Buffer.from(enc.end())]);
    expect(out[0]).toBe(0xff);
    expect(out[1]! & 0xe0).toBe(0xe0);
    // One second of audio at 64 kbit/s is ~8 kB.
    expect(out.length).toBeGreaterThan(6000);
    expect(out.length).toBeLessThan(11000);
  });
});

describe("the local TTS provider (flite)", () => {
  const call = (signal = new AbortController().signal) => ({ signal, requestId: "t" });
  const req = (change: Partial<SpeechRequest> = {}): SpeechRequest => ({ ...base, speed: 1, ...change });
  const collect = async (events: AsyncIterable<SpeechEvent>) => {
    const out: SpeechEvent[] = [];
    for await (const e of events) out.push(e);
    return out;
  };

  it("speaks: start, audio chunks per sentence, end with the duration", { timeout: 60_000 }, async () => {
    const p = new FliteProvider({ name: "tts", models: ["flite"] });
    try {
      const events = await collect(p.synthesize(req({ input: "First sentence here. And a second one.", format: SpeechFormat.PCM16 }), call()));
      expect(events[0]).toMatchObject({ case: "start", value: { sampleRateHz: 16_000, contentType: "audio/pcm", voice: "alloy", format: SpeechFormat.PCM16 } });
      const audio = events.filter((e) => e.case === "audio");
      expect(audio.length).toBe(2);
      const bytes = audio.reduce((n, e) => n + (e.value as Uint8Array).length, 0);
      const end = events.at(-1)!;
      expect(end.case).toBe("end");
      expect((end.value as { durationSeconds: number }).durationSeconds).toBeCloseTo(bytes / 32_000, 5);
      // Faster speech is shorter.
      const fast = await collect(p.synthesize(req({ input: "First sentence here. And a second one.", format: SpeechFormat.PCM16, speed: 2 }), call()));
      expect((fast.at(-1)!.value as { durationSeconds: number }).durationSeconds).toBeLessThan((end.value as { durationSeconds: number }).durationSeconds * 0.7);
    } finally {
      await p.close();
    }
  });

  it("refuses an unknown voice and a format it cannot make before any audio", async () => {
    const p = new FliteProvider({ name: "tts", models: ["flite"] });
    try {
      const voice = await collect(p.synthesize(req({ voice: "nobody" }), call())).catch((e: ConnectError) => e);
      expect((voice as ConnectError).rawMessage).toMatch(/^voice: "nobody" is not a voice of provider "tts"; use one of: slt, rms, awb, kal16, alloy/);
      const format = await collect(p.synthesize(req({ format: SpeechFormat.OPUS }), call())).catch((e: ConnectError) => e);
      expect((format as ConnectError).rawMessage).toMatch(/^format: SPEECH_FORMAT_OPUS is not produced by provider "tts"; use one of: SPEECH_FORMAT_MP3, SPEECH_FORMAT_WAV, SPEECH_FORMAT_PCM16/);
      expect(p["engine"].stats.created).toBe(0);
    } finally {
      await p.close();
    }
  });

  it("a cancelled request stops at once and frees its worker for the next", { timeout: 60_000 }, async () => {
    const p = new FliteProvider({ name: "tts", models: ["flite"] });
    try {
      const ac = new AbortController();
      const long = Array.from({ length: 30 }, (_, i) => `This is sentence number ${i}.`).join(" ");
      let chunks = 0;
      const err = await (async () => {
        for await (const e of p.synthesize(req({ input: long, format: SpeechFormat.PCM16 }), call(ac.signal))) {
          if (e.case === "audio" && ++chunks === 1) ac.abort();
        }
      })().catch((e: unknown) => ConnectError.from(e));
      expect(err?.code).toBe(Code.Canceled);
      expect(chunks).toBe(1);
      expect(p["engine"].stats).toMatchObject({ busy: 0, queued: 0 });
      const again = await collect(p.synthesize(req({ format: SpeechFormat.WAV }), call()));
      expect(again.at(-1)!.case).toBe("end");
    } finally {
      await p.close();
    }
  });
});
