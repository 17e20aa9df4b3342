// A model in memory: the weights, `contexts` contexts holding the `sequences` KV slots between
// them (slot i lives in context i % contexts; threads.ts says why more than one), its grammars
// and (created on first embedding request) an embedding context.
import type { ChatWrapper, LlamaContext, LlamaContextSequence, LlamaEmbeddingContext, LlamaModel } from "node-llama-cpp";
import { createBaseModelChatWrapper } from "./base-model-wrapper.js";
import { Grammars } from "./grammar.js";
import type { LlamaHandle } from "./runtime.js";
import type { LlmModelConfig } from "./types.js";

export class LoadedModel {
  readonly grammars: Grammars;
  /** "auto" lets node-llama-cpp pick from the GGUF (its template, or a guess from the architecture). */
  readonly chatWrapper: ChatWrapper | "auto";
  /** True when answers come through the few-shot conversation (and start after "Assistant:"). */
  readonly baseModelFormat: boolean;
  private embedding: Promise<LlamaEmbeddingContext> | undefined;

  private constructor(
    readonly handle: LlamaHandle,
    readonly model: LlamaModel,
    readonly contexts: readonly LlamaContext[],
    /** By slot (see Slots): slot i is a sequence of contexts[i % contexts.length]. */
    readonly sequences: readonly LlamaContextSequence[],
    private readonly config: LlmModelConfig,
  ) {
    this.grammars = new Grammars(handle.llama);
    this.baseModelFormat = usesBaseModelFormat(model, config);
    this.chatWrapper = this.baseModelFormat ? createBaseModelChatWrapper(handle.lib) : "auto";
  }

  static async load(handle: LlamaHandle, config: LlmModelConfig): Promise<LoadedModel> {
    const model = await handle.llama.loadModel({ modelPath: config.modelPath });
    const contexts: LlamaContext[] = [];
    try {
      for (let c = 0; c < config.contexts; c++) {
        const sequences = Math.ceil((config.sequences - c) / config.contexts); // slots c, c + contexts, ...
        contexts.push(await model.createContext({ contextSize: config.contextSize, sequences, threads: config.threads }));
      }
      const sequences = Array.from({ length: config.sequences }, (_, i) => contexts[i % contexts.length]!.getSequence());
      return new LoadedModel(handle, model, contexts, sequences, config);
    } catch (err) {
      for (const context of contexts) await context.dispose();
      await model.dispose();
      throw err;
    }
  }

  /** The model id errors name. */
  get name(): string {
    return this.config.name;
  }

  /** Tokens per sequence, as llama.cpp rounded it. */
  get contextSize(): number {
    return this.contexts[0]!.contextSize;
  }

  /** A separate context for embeddings, so they never wait behind long generations. */
  embeddingContext(): Promise<LlamaEmbeddingContext> {
    this.embedding ??= this.model
      .createEmbeddingContext({ contextSize: this.config.contextSize, threads: this.config.threads })
      .catch((err: unknown) => {
        this.embedding = undefined;
        throw err;
      });
    return this.embedding;
  }

  async dispose(): Promise<void> {
    const embedding = await this.embedding?.catch(() => undefined);
    await embedding?.dispose();
    for (const context of this.contexts) await context.dispose();
    await this.model.dispose();
  }
}

/** A GGUF without tokenizer.chat_template was not trained on chat turns (see base-model-wrapper.ts). */
function usesBaseModelFormat(model: LlamaModel, config: LlmModelConfig): boolean {
  if (config.chatTemplate !== "auto") return config.chatTemplate === "base-model";
  return model.fileInfo.metadata.tokenizer?.chat_template === undefined;
}
