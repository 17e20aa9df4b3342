// createSpeechProvider: config entries of type "pocketsphinx" / "whisper" → providers, with
// startup errors naming the key path when model files are missing.
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../server/config/errors.js";
import { createSpeechProvider } from "../../server/providers/stt/config.js";

const base = { name: "stt", models: ["pocketsphinx-en"] };

describe("speech provider config", () => {
  it("pocketsphinx defaults to the Debian pocketsphinx-en-us paths", async () => {
    const p = createSpeechProvider({ ...base, type: "pocketsphinx" }, 0, "test.toml");
    expect(p.type).toBe("pocketsphinx");
    expect(await p.listModels({ signal: new AbortController().signal, requestId: "t" })).toEqual(["pocketsphinx-en"]);
    await p.close();
  });

  it("names the key path of a missing model file", () => {
    expect(() => createSpeechProvider({ ...base, type: "pocketsphinx", pocketsphinx: { lm_path: "/nope/x.lm.bin" } }, 2, "test.toml")).toThrow(
      /test.toml: providers\[2\].pocketsphinx.lm_path: "\/nope\/x.lm.bin" does not exist/,
    );
    expect(() => createSpeechProvider({ ...base, type: "whisper", whisper: { model_path: "/nope/ggml.bin" } }, 1, "test.toml")).toThrow(ConfigError);
    expect(() => createSpeechProvider({ ...base, type: "whisper" }, 1, "test.toml")).toThrow(/providers\[1\].whisper: missing required table/);
  });
});
