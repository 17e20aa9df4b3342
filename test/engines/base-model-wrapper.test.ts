// The few-shot conversation format for models without a chat template: what the prompt looks
// like, where generation stops, and that "auto" picks it only for GGUFs without a template.
import { afterAll, describe, expect, it } from "vitest";
import { createBaseModelChatWrapper, DEFAULT_DESCRIPTION } from "../../server/engines/llm/base-model-wrapper.js";
import { call, chat, localProvider, removeGenerated, testModel } from "./helpers.js";

const lib = await import("node-llama-cpp");
const wrapper = createBaseModelChatWrapper(lib);

// toString() writes special tokens by name ("BOS").
function render(history: Parameters<typeof wrapper.generateContextState>[0]["chatHistory"]) {
  const state = wrapper.generateContextState({ chatHistory: history });
  return { text: state.contextText.toString(), json: state.contextText.toJSON(), stops: state.stopGenerationTriggers.map((t) => t.toString()) };
}

describe("base-model chat format", () => {
  it("starts with BOS and the default description, shows the examples, and ends on an open Assistant turn", () => {
    const { text, json } = render([{ type: "user", text: "What is the capital of France?" }]);
    expect(json[0]).toEqual({ type: "specialToken", value: "BOS" });
    expect(text.startsWith("BOS" + DEFAULT_DESCRIPTION + "\n\nUser: What is the capital of Italy?\nAssistant: The capital of Italy is Rome.\n\n")).toBe(true);
    expect(text.endsWith("\n\nUser: What is the capital of France?\nAssistant:")).toBe(true);
  });

  it("puts the system message in place of the description and renders earlier turns like the examples", () => {
    const { text } = render([
      { type: "system", text: "Answer like a pirate." },
      { type: "user", text: "Hi" },
      { type: "model", response: ["Ahoy."] },
      { type: "user", text: "2+2?" },
    ]);
    expect(text.startsWith("BOSAnswer like a pirate.\n\nUser: What is the capital of Italy?")).toBe(true);
    expect(text).not.toContain(DEFAULT_DESCRIPTION);
    expect(text.endsWith("User: Hi\nAssistant: Ahoy.\n\nUser: 2+2?\nAssistant:")).toBe(true);
  });

  it("leaves a trailing model turn open so generation continues it", () => {
    const { text } = render([{ type: "user", text: "Count" }, { type: "model", response: ["One, two"] }]);
    expect(text.endsWith("User: Count\nAssistant: One, two")).toBe(true);
  });

  it("stops at the end of the model's turn: EOS, or the next User:/Assistant: line", () => {
    const { stops } = render([{ type: "user", text: "x" }]);
    expect(stops).toEqual(expect.arrayContaining(["\nUser:", "\n\nUser:", "\nAssistant:", "\n\nAssistant:"]));
    const eos = wrapper.generateContextState({ chatHistory: [] }).stopGenerationTriggers[0]!.toJSON();
    expect(eos).toEqual([{ type: "specialToken", value: "EOS" }]);
  });
});

describe("local.chat_template picks the format", () => {
  const path = testModel();
  const providers = ["auto", "base-model", "model"].map((mode) => localProvider(path, `chat_template = "${mode}"`, `tpl-${mode}`));
  afterAll(async () => {
    await Promise.all(providers.map((p) => p.close()));
    removeGenerated();
  });

  it('"auto" uses the few-shot conversation for a GGUF without a template, "model" does not', { timeout: 60_000 }, async () => {
    const [auto, base, model] = await Promise.all(providers.map((p) => p.generate(chat("Hello", { maxTokens: 1, temperature: 0 }), call())));
    // The same user turn: the few-shot prompt carries the description and the example turns.
    expect(auto!.usage!.inputTokens).toBe(base!.usage!.inputTokens);
    expect(auto!.usage!.inputTokens).toBeGreaterThan(model!.usage!.inputTokens + 50);
  });
});
