// providers/openai/transcribe.ts: response mapping, language names, and
// servers that answer less than verbose_json (a tiny in-process server).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { create } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AudioEncoding, TranscribeConfigSchema } from "../../gen/ts/hoosh/v1/transcribe_pb.js";
import { fromTranscription, languageCode } from "../../server/providers/openai/transcribe.js";
import { Transport } from "../../server/providers/transport.js";
import { openai, toneWav } from "./harness.js";

const config = (c: Parameters<typeof create<typeof TranscribeConfigSchema>>[1] = {}) =>
  create(TranscribeConfigSchema, { model: "whisper-1", encoding: AudioEncoding.WAV, ...c });

describe("fromTranscription", () => {
  it("maps a plain {text} answer (no segments, no usage)", () => {
    const res = fromTranscription({ text: " hello " }, config({ language: "en" }));
    expect(res).toMatchObject({ text: "hello", language: "en", segments: [], durationSeconds: 0, model: "whisper-1" });
    expect(res.usage).toMatchObject({ inputTokens: 0, outputTokens: 0, audioTokens: 0 });
  });

  it("maps token usage (gpt-4o-*-transcribe)", () => {
    const res = fromTranscription(
      { text: "hi", usage: { type: "tokens", input_tokens: 14, input_token_details: { audio_tokens: 12, text_tokens: 2 }, output_tokens: 3 } },
      config(),
    );
    expect(res.usage).toMatchObject({ inputTokens: 14, audioTokens: 12, outputTokens: 3 });
  });

  it("nests words in the segment where they start; words without segments get one segment", () => {
    const words = [
      { word: "a", start: 0, end: 0.5 },
      { word: "b", start: 1.0, end: 1.4 },
      { word: "c", start: 2.5, end: 3 },
    ];
    const segmented = fromTranscription(
      { text: "a b c", duration: 3, segments: [{ start: 0, end: 1.2, text: " a b" }, { start: 1.2, end: 3, text: " c" }], words },
      config(),
    );
    expect(segmented.segments.map((s) => [s.text, s.words.map((w) => w.word)])).toEqual([
      ["a b", ["a", "b"]],
      ["c", ["c"]],
    ]);
    const flat = fromTranscription({ text: "a b c", duration: 3, words }, config());
    expect(flat.segments).toHaveLength(1);
    expect(flat.segments[0]).toMatchObject({ startSeconds: 0, endSeconds: 3, text: "a b c" });
    expect(flat.segments[0]!.words).toHaveLength(3);
  });
});

describe("languageCode", () => {
  it.each([
    ["en", "", "en"],
    ["english", "", "en"],
    ["English", "", "en"],
    ["german", "", "de"],
    ["myanmar", "", "my"],
    ["cantonese", "", "yue"],
    ["klingon", "tlh", "tlh"],
    ["klingon", "", "klingon"],
    [undefined, "fr", "fr"],
    ["", "", ""],
  ])("%s (hint %s) -> %s", (reported, hint, want) => {
    expect(languageCode(reported, hint)).toBe(want);
  });
});

describe("servers that answer less than verbose_json", () => {
  let server: Server;
  let baseUrl: string;
  const transport = new Transport();
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume().on("end", () => {
        if (req.url === "/text/audio/transcriptions") {
          res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end("plain words\n");
        } else {
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ text: "just text" }));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await transport.close();
    await new Promise((resolve) => server.close(resolve));
  });

  const call = () => ({ signal: new AbortController().signal, requestId: "t" });
  async function* audio() {
    yield toneWav(0.1);
  }

  it("accepts {\"text\"} only", async () => {
    const res = await openai("json", `${baseUrl}/json`, transport).transcribe(config({ language: "de" }), audio(), call());
    expect(res).toMatchObject({ text: "just text", language: "de", segments: [] });
  });

  it("accepts a text/plain body", async () => {
    const res = await openai("text", `${baseUrl}/text`, transport).transcribe(config(), audio(), call());
    expect(res.text).toBe("plain words");
  });
});
