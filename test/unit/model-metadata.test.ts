// The model table (data/models.json): provider type first, then first matching glob; a malformed
// table is refused at startup naming models[i].field.
import { describe, expect, it } from "vitest";
import { Capability } from "../../gen/ts/hoosh/v1/models_pb.js";
import { ModelMetadata, type ModelFile } from "../../server/core/model-metadata.js";

const table = new ModelMetadata();

describe("the shipped table", () => {
  it("whisper-, whisper-server- and pocketsphinx-type models transcribe, whatever the id", () => {
    for (const type of ["pocketsphinx", "whisper", "whisper-server"]) {
      expect(table.describe("sphinx-en", type).capabilities).toEqual([Capability.TRANSCRIPTION]);
      expect(table.describe("gpt-4o", type).capabilities).toEqual([Capability.TRANSCRIPTION]);
    }
  });

  it("flite-type models speak: text in, audio out, no chat capability", () => {
    const flite = table.describe("tts-1", "flite");
    expect(flite).toMatchObject({ kind: "speech", capabilities: [], inputModalities: ["text"], outputModalities: ["audio"] });
  });

  it("an OpenAI transcription model behind an openai provider is a transcription model", () => {
    expect(table.describe("whisper-1", "openai").kind).toBe("transcription");
    expect(table.describe("gpt-4o-mini-transcribe", "openai").capabilities).toEqual([Capability.TRANSCRIPTION]);
  });

  it("windows, output limits and reasoning come from the table; vendor prefixes are looked through", () => {
    const claude = table.describe("claude-sonnet-4-5", "anthropic");
    expect(claude.contextWindow).toBe(200_000);
    expect(claude.capabilities).toEqual(expect.arrayContaining([Capability.CHAT, Capability.TOOLS, Capability.VISION, Capability.REASONING]));
    expect(table.describe("openai/gpt-4o-mini", "openai").contextWindow).toBe(128_000);
    expect(table.describe("gpt-4o-mini", "openai").capabilities).not.toContain(Capability.REASONING);
    expect(table.describe("nomic-embed-text", "ollama").capabilities).toEqual([Capability.EMBEDDINGS]);
  });

  it("an unknown id is chat with tools and structured output, window unknown (0)", () => {
    const info = table.describe("my-model", "ollama");
    expect(info).toMatchObject({ kind: "chat", contextWindow: 0, maxOutputTokens: 0, inputModalities: ["text"] });
  });
});

describe("a malformed table", () => {
  const bad = (entry: unknown) => () => new ModelMetadata({ models: [{ match: "a*", kind: "chat" }, entry] } as ModelFile);

  it("names the entry and the field", () => {
    expect(bad({ match: "", kind: "chat" })).toThrow("models table models[1].match: must be a non-empty glob");
    expect(bad({ match: "x", kind: "vision" })).toThrow('models table models[1].kind: "vision" is not one of chat, embedding, transcription');
    expect(bad({ match: "x", kind: "chat", context_window: -1 })).toThrow("models[1].context_window: -1 must be a whole number >= 0");
    expect(bad({ match: "x", kind: "chat", tools: "yes" })).toThrow('models[1].tools: "yes" must be true or false');
    expect(bad({ match: "x", kind: "chat", input: ["video"] })).toThrow('models[1].input: ["video"] must list only image, audio');
    expect(() => new ModelMetadata({} as ModelFile)).toThrow("models must be an array");
  });
});
