// The chat format for a pretrained-only ("base") model: a GGUF without a chat template, such
// as the embedded default Gemma 3 270M from PyPI or stories260K. Such a model never learned
// turn markers, so a chat template makes it echo the prompt ("What is the capital of France?
// mendatang ..."). It does continue a plain written conversation, and a few example turns
// show it the form an answer takes: "User: What is the capital of France?\nAssistant:" then
// gives " The capital of France is Paris." The examples are fixed, so the prompt prefix is
// the same for every request and stays in the KV cache (counted as cached input).
//
// node-llama-cpp is loaded lazily (runtime.ts), so the class is built from the loaded module.
import type { ChatWrapper, ChatWrapperGenerateContextStateOptions, ChatWrapperGeneratedContextState, LlamaText as Text } from "node-llama-cpp";
import type { LlamaModule } from "./runtime.js";

const USER = "User";
const ASSISTANT = "Assistant";

/** Used when the request has no system message. */
export const DEFAULT_DESCRIPTION =
  "A conversation between a curious user and a helpful, knowledgeable assistant. The assistant answers accurately and briefly.";

const EXAMPLES: readonly (readonly [user: string, assistant: string])[] = [
  ["What is the capital of Italy?", "The capital of Italy is Rome."],
  ["How many legs does a spider have?", "A spider has eight legs."],
  ["Give me a word that rhymes with cat.", "Hat rhymes with cat."],
  ["Hello!", "Hello! How can I help you today?"],
];

export function createBaseModelChatWrapper(lib: LlamaModule): ChatWrapper {
  const { LlamaText, SpecialToken } = lib;
  /** An earlier answer as the model would have written it: after one space. */
  const answer = (text: Text): Text => (text.values.length === 0 ? text : LlamaText([" ", text]));
  class BaseModelChatWrapper extends lib.ChatWrapper {
    readonly wrapperName = "hoosh-base-model";

    override generateContextState({ chatHistory, availableFunctions, documentFunctionParams }: ChatWrapperGenerateContextStateOptions): ChatWrapperGeneratedContextState {
      const history = this.addAvailableFunctionsSystemMessageToHistory(chatHistory, availableFunctions, { documentParams: documentFunctionParams });
      const system: Text[] = [];
      const turns: Text[] = [];
      history.forEach((item, i) => {
        if (item.type === "system") system.push(LlamaText.fromJSON(item.text));
        else if (item.type === "user") turns.push(LlamaText([`${USER}: `, item.text, "\n"]));
        else {
          // The last model turn is the one being written: it stays open.
          const open = i === history.length - 1;
          turns.push(LlamaText([`${ASSISTANT}:`, answer(this.generateModelResponseText(item.response)), open ? "" : "\n\n"]));
        }
      });
      if (history.at(-1)?.type !== "model") turns.push(LlamaText(`${ASSISTANT}:`));
      const examples = EXAMPLES.map(([q, a]) => `${USER}: ${q}\n${ASSISTANT}: ${a}\n\n`).join("");
      const description = system.length > 0 ? LlamaText.joinValues("\n\n", system) : LlamaText(DEFAULT_DESCRIPTION);
      return {
        contextText: LlamaText([new SpecialToken("BOS"), description, "\n\n", examples, ...turns]),
        stopGenerationTriggers: [
          LlamaText(new SpecialToken("EOS")),
          LlamaText(`\n${USER}:`),
          LlamaText(`\n\n${USER}:`),
          LlamaText(`\n${ASSISTANT}:`),
          LlamaText(`\n\n${ASSISTANT}:`),
        ],
      };
    }
  }
  return new BaseModelChatWrapper();
}
