// The OpenAI JSON this edge writes to its clients, as OpenAI documents it
// (requests arrive as unknown JSON and are checked field by field).
export type Json = Record<string, unknown>;

export interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export interface ToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter";

export interface CompletionUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
  completion_tokens_details: { reasoning_tokens: number };
}

export interface ChatCompletion {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: {
    index: number;
    message: { role: "assistant"; content: string | null; refusal: null; tool_calls?: ToolCall[] };
    logprobs: null;
    finish_reason: FinishReason;
  }[];
  usage: CompletionUsage;
}

export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: "function";
  function: { name?: string; arguments: string };
}

export interface ChunkDelta {
  role?: "assistant";
  content?: string;
  /** Not in OpenAI's API: reasoning text, as DeepSeek, vLLM and others stream it. */
  reasoning_content?: string;
  tool_calls?: ToolCallDelta[];
}

export interface ChatCompletionChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: { index: number; delta: ChunkDelta; logprobs: null; finish_reason: FinishReason | null }[];
  /** With stream_options.include_usage: null on every chunk but the last, which has no choices. */
  usage?: CompletionUsage | null;
}

export interface EmbeddingList {
  object: "list";
  data: { object: "embedding"; index: number; embedding: number[] | string }[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

export interface ModelObject {
  id: string;
  object: "model";
  created: number;
  owned_by: string;
}

export type TranscriptionUsage =
  | { type: "duration"; seconds: number }
  | { type: "tokens"; input_tokens: number; output_tokens: number; total_tokens: number; input_token_details: { audio_tokens: number; text_tokens: number } };

export interface VerboseTranscription {
  task: "transcribe";
  language: string;
  duration: number;
  text: string;
  segments?: {
    id: number;
    seek: number;
    start: number;
    end: number;
    text: string;
    tokens: number[];
    temperature: number;
    avg_logprob: number;
    compression_ratio: number;
    no_speech_prob: number;
  }[];
  words?: { word: string; start: number; end: number }[];
  usage?: TranscriptionUsage;
}
