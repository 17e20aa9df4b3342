// core/audio.ts: WAV parsing, PCM wrapping, durations and format sniffing.
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { AudioEncoding } from "../../gen/ts/hoosh/v1/transcribe_pb.js";
import { checkEncoding, parseWav, pcm16Duration, sniffFormat, wrapPcm16 } from "../../server/audio/index.js";
import { tone } from "./harness.js";

/** Expects an InvalidArgument whose message starts with `field: ` and matches `detail`. */
function expectInvalid(fn: () => unknown, field: string, detail: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ConnectError);
  const e = caught as ConnectError;
  expect(e.code).toBe(Code.InvalidArgument);
  expect(e.rawMessage.startsWith(`${field}: `)).toBe(true);
  expect(e.rawMessage).toMatch(detail);
}

describe("wrapPcm16", () => {
  it("writes a canonical 44-byte PCM header in front of the samples", () => {
    const pcm = tone(0.5, 16_000, 1);
    const wav = wrapPcm16(pcm, 16_000, 1);
    expect(wav.length).toBe(44 + pcm.length);
    expect(wav.toString("latin1", 0, 4)).toBe("RIFF");
    expect(wav.readUInt32LE(4)).toBe(36 + pcm.length);
    expect(wav.toString("latin1", 8, 16)).toBe("WAVEfmt ");
    expect(wav.readUInt32LE(16)).toBe(16);
    expect(wav.readUInt16LE(20)).toBe(1); // PCM
    expect(wav.readUInt16LE(22)).toBe(1);
    expect(wav.readUInt32LE(24)).toBe(16_000);
    expect(wav.readUInt32LE(28)).toBe(32_000); // byte rate
    expect(wav.readUInt16LE(32)).toBe(2); // block align
    expect(wav.readUInt16LE(34)).toBe(16);
    expect(wav.toString("latin1", 36, 40)).toBe("data");
    expect(wav.readUInt32LE(40)).toBe(pcm.length);
    expect(wav.subarray(44).equals(pcm)).toBe(true);
  });
});

describe("parseWav", () => {
  it("round-trips a wrapped stereo 44.1 kHz clip", () => {
    const wav = wrapPcm16(tone(0.25, 44_100, 2), 44_100, 2);
    expect(parseWav(wav)).toEqual({
      sampleRateHz: 44_100,
      channels: 2,
      bitsPerSample: 16,
      dataOffset: 44,
      dataBytes: wav.length - 44,
      durationSeconds: (wav.length - 44) / (44_100 * 2 * 2),
    });
  });

  it("skips extra chunks (LIST) before data, as ffmpeg writes them", () => {
    const plain = wrapPcm16(tone(0.1), 16_000, 1);
    const list = Buffer.concat([Buffer.from("LIST"), Buffer.from([5, 0, 0, 0]), Buffer.from("INFOx"), Buffer.from([0])]); // odd size + pad byte
    const wav = Buffer.concat([plain.subarray(0, 36), list, plain.subarray(36)]);
    const info = parseWav(wav);
    expect(info.dataOffset).toBe(44 + list.length);
    expect(info.dataBytes).toBe(plain.length - 44);
  });

  it("clamps a streamed WAV's data size (0xFFFFFFFF) to the bytes present", () => {
    const wav = wrapPcm16(tone(0.1), 16_000, 1);
    wav.writeUInt32LE(0xffffffff, 40);
    expect(parseWav(wav).dataBytes).toBe(wav.length - 44);
    expect(parseWav(wav).durationSeconds).toBeCloseTo(0.1, 5);
  });

  it("rejects garbage, truncation and unsupported formats with clear messages", () => {
    expectInvalid(() => parseWav(Buffer.from("hello world, not audio")), "audio", /not a WAV file: no RIFF\/WAVE header \(first bytes: 68 65 6c 6c/);
    expectInvalid(() => parseWav(new Uint8Array(0)), "audio", /first bytes: \(none\)/);
    const wav = wrapPcm16(tone(0.1), 16_000, 1);
    expectInvalid(() => parseWav(wav.subarray(0, 30)), "audio", /fmt chunk is truncated/);
    expectInvalid(() => parseWav(wav.subarray(0, 36)), "audio", /has no data chunk/);
    const float = Buffer.from(wav);
    float.writeUInt16LE(3, 20); // IEEE float
    float.writeUInt16LE(32, 34);
    expectInvalid(() => parseWav(float), "audio", /format 3 at 32 bits per sample; only PCM \(1\) 16-bit/);
    const eight = Buffer.from(wav);
    eight.writeUInt16LE(8, 34);
    expectInvalid(() => parseWav(eight), "audio", /8 bits per sample/);
    const mono0 = Buffer.from(wav);
    mono0.writeUInt16LE(0, 22);
    expectInvalid(() => parseWav(mono0), "audio", /declares 0 channels/);
    const dataFirst = Buffer.concat([wav.subarray(0, 12), wav.subarray(36, 44), wav.subarray(12, 36)]);
    dataFirst.writeUInt32LE(0, 16); // data chunk of size 0 placed before fmt
    expectInvalid(() => parseWav(dataFirst), "audio", /data chunk comes before its fmt chunk/);
  });
});

describe("pcm16Duration", () => {
  it("counts frames of 2 bytes per channel", () => {
    expect(pcm16Duration(32_000, 16_000, 1)).toBe(1);
    expect(pcm16Duration(32_000, 8_000, 2)).toBe(1);
    expect(pcm16Duration(100, 0, 1)).toBe(0);
  });
});

const MAGIC = {
  wav: wrapPcm16(tone(0.01), 16_000, 1),
  mp3Id3: Buffer.from("ID3\x04\x00\x00\x00\x00\x00\x00", "latin1"),
  mp3Sync: Buffer.from([0xff, 0xfb, 0x90, 0x64, 0, 0]),
  ogg: Buffer.from("OggS\x00\x02\x00\x00OpusHead", "latin1"),
  flac: Buffer.from("fLaC\x00\x00\x00\x22", "latin1"),
  webm: Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81]),
  aacAdts: Buffer.from([0xff, 0xf1, 0x50, 0x80, 0, 0]),
  pcm: tone(0.01),
};

describe("sniffFormat", () => {
  it.each([
    ["wav", MAGIC.wav, "wav"],
    ["ID3-tagged MP3", MAGIC.mp3Id3, "mp3"],
    ["bare MP3 frame", MAGIC.mp3Sync, "mp3"],
    ["Ogg Opus", MAGIC.ogg, "ogg"],
    ["FLAC", MAGIC.flac, "flac"],
    ["WebM", MAGIC.webm, "webm"],
    ["AAC ADTS (layer 00) is not MP3", MAGIC.aacAdts, "unknown"],
    ["raw PCM", MAGIC.pcm, "unknown"],
    ["empty", new Uint8Array(0), "unknown"],
  ] as const)("%s", (_, bytes, want) => {
    expect(sniffFormat(bytes)).toBe(want);
  });
});

describe("checkEncoding", () => {
  it("accepts bytes that match the declared encoding", () => {
    expect(() => checkEncoding(AudioEncoding.WAV, MAGIC.wav)).not.toThrow();
    expect(() => checkEncoding(AudioEncoding.MP3, MAGIC.mp3Id3)).not.toThrow();
    expect(() => checkEncoding(AudioEncoding.MP3, MAGIC.mp3Sync)).not.toThrow();
    expect(() => checkEncoding(AudioEncoding.OGG_OPUS, MAGIC.ogg)).not.toThrow();
    expect(() => checkEncoding(AudioEncoding.FLAC, MAGIC.flac)).not.toThrow();
    expect(() => checkEncoding(AudioEncoding.WEBM_OPUS, MAGIC.webm)).not.toThrow();
    expect(() => checkEncoding(AudioEncoding.PCM16_LE, MAGIC.pcm)).not.toThrow();
  });

  it("names config.encoding, what was declared and what the bytes look like", () => {
    expectInvalid(() => checkEncoding(AudioEncoding.MP3, MAGIC.flac), "config.encoding", /AUDIO_ENCODING_MP3 was declared but the audio looks like FLAC \(fLaC\); declare AUDIO_ENCODING_FLAC/);
    expectInvalid(() => checkEncoding(AudioEncoding.WAV, MAGIC.ogg), "config.encoding", /AUDIO_ENCODING_WAV was declared but the audio looks like Ogg \(OggS\); declare AUDIO_ENCODING_OGG_OPUS/);
    expectInvalid(() => checkEncoding(AudioEncoding.PCM16_LE, MAGIC.wav), "config.encoding", /AUDIO_ENCODING_PCM16_LE was declared but the audio looks like a WAV file \(RIFF\/WAVE\); declare AUDIO_ENCODING_WAV/);
    expectInvalid(() => checkEncoding(AudioEncoding.WEBM_OPUS, MAGIC.mp3Sync), "config.encoding", /looks like MP3/);
    expectInvalid(() => checkEncoding(AudioEncoding.FLAC, MAGIC.pcm), "config.encoding", /AUDIO_ENCODING_FLAC was declared but the audio looks like none of WAV, MP3, Ogg, FLAC or WebM \(first bytes: /);
  });

  it("leaves unrecognised bytes declared as WAV to parseWav's more precise message", () => {
    expect(() => checkEncoding(AudioEncoding.WAV, MAGIC.pcm)).not.toThrow();
  });
});
