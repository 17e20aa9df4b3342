// What the in-process LLM engine takes and returns. Chat history and function types are
// node-llama-cpp's own (this engine is built on it); providers/local translates hoosh.v1 to them.
import type { ChatHistoryItem, ChatModelFunctions } from "node-llama-cpp";
import type { ChatTemplateMode } from "../../config/schema.js";

export type { ChatHistoryItem, ChatModelFunctions };

export interface LlmModelConfig {
  /** Names the model in errors and logs (the provider's model id). */
  readonly name: string;
  /** Absolute path of the GGUF file. */
  readonly modelPath: string;
  /** llama.cpp threads per context (and of the embedding context). */
  readonly threads: number;
  /** Contexts the sequences are spread over (1..sequences), each decoding on its own threads. */
  readonly contexts: number;
  /** Tokens per sequence. */
  readonly contextSize: number;
  /** Requests that generate at the same time (KV cache slots, spread over the contexts). */
  readonly sequences: number;
  /** Requests that may wait for a free sequence; more are refused with ResourceExhausted. */
  readonly maxQueue: number;
  readonly load: "startup" | "first-use";
  /** Unload after this long without requests; 0 keeps the model loaded. */
  readonly idleUnloadMs: number;
  /**
   * How chat turns become a prompt: "model" = the GGUF's template (or node-llama-cpp's guess
   * from the architecture), "base-model" = a plain few-shot conversation for models without
   * chat training, "auto" = "model" when the GGUF carries a chat template, else "base-model".
   */
  readonly chatTemplate: ChatTemplateMode;
}


/** Output constraint, enforced by a grammar while sampling. */
export type OutputFormat = { kind: "text" } | { kind: "json" } | { kind: "json-schema"; schema: Readonly<Record<string, unknown>> };

export interface Sampling {
  /** 0 = greedy. */
  temperature: number;
  topP: number;
  topK: number;
  minP: number;
  /** uint32; undefined = random. */
  seed?: number | undefined;
  presencePenalty?: number | undefined;
  frequencyPenalty?: number | undefined;
}

export interface ToolCallChunk {
  /** 0, 1, ... in the order the model calls. */
  index: number;
  name: string;
  argumentsDelta: string;
}

export interface ChatOptions {
  history: ChatHistoryItem[];
  /** Tools the model may call (through node-llama-cpp's function calling); none when undefined. */
  functions?: ChatModelFunctions | undefined;
  format: OutputFormat;
  sampling: Sampling;
  maxTokens: number;
  stop: readonly string[];
  signal: AbortSignal;
  onText?: ((text: string) => void) | undefined;
  onToolCall?: ((chunk: ToolCallChunk) => void) | undefined;
}

export type ChatFinish = "stop" | "length" | "tool-calls";

export interface TokenUsage {
  /** Prompt tokens, cached ones included. */
  inputTokens: number;
  /** Prompt tokens whose KV cache was reused from the sequence's previous request. */
  cachedInputTokens: number;
  outputTokens: number;
}

export interface ChatResult {
  text: string;
  toolCalls: { name: string; arguments: string }[];
  finish: ChatFinish;
  usage: TokenUsage;
}

export interface EmbedResult {
  vectors: number[][];
  inputTokens: number;
}
