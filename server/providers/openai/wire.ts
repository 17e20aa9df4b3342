// OpenAI's chat-completions, embeddings, models, error and transcription JSON, as OpenAI documents
// it: the one description of this wire format, used by the provider (requests it sends, answers it
// reads through Loose<>, since an upstream may leave anything out) and by the OpenAI REST edge
// (answers it writes; requests arrive as unknown JSON and are checked by its zod schemas).
// The Responses API is in wire-responses.ts; the enum maps between this and hoosh.v1 in enums.ts.

/** A value read from an upstream: every field may be missing or null. */
export type Loose<T> = T extends (infer E)[] ? Loose<E>[] : T extends object ? { [K in keyof T]?: Loose<T[K]> | null } : T;

export type Role = "system" | "developer" | "user" | "assistant" | "tool";
export type ImageDetail = "low" | "high" | "auto";
export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter";
export type ReasoningEffort = "none" | "minimal" | "low" | "medium" | "high";

export type ContentPart =
  | { type: "text"; text: string }
  | { type: "image_url"; image_url: { url: string; detail?: ImageDetail } }
  | { type: "input_audio"; input_audio: { data: string; format: string } };

export interface ToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export interface ChatMessage {
  role: Role;
  content: string | ContentPart[] | null;
  name?: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
}

export interface FunctionTool {
  type: "function";
  function: { name: string; description?: string; parameters: object; strict?: boolean };
}

export type ToolChoice = "auto" | "none" | "required" | { type: "function"; function: { name: string } };

export type ResponseFormat = { type: "text" } | { type: "json_object" } | { type: "json_schema"; json_schema: { name: string; schema: object; strict?: boolean } };

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  temperature?: number;
  top_p?: number;
  /** Not OpenAI's own API: vLLM, llama.cpp, Together, Fireworks and OpenRouter take it (quirk topK). */
  top_k?: number;
  max_tokens?: number;
  max_completion_tokens?: number;
  stop?: string[];
  seed?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
  tools?: FunctionTool[];
  tool_choice?: ToolChoice;
  parallel_tool_calls?: boolean;
  response_format?: ResponseFormat;
  reasoning_effort?: ReasoningEffort;
  service_tier?: string;
  logprobs?: boolean;
  top_logprobs?: number;
  prediction?: { type: "content"; content: string };
  metadata?: Record<string, string>;
  user?: string;
  stream?: boolean;
  stream_options?: { include_usage: boolean };
}

export interface CompletionUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; audio_tokens?: number };
  completion_tokens_details: { reasoning_tokens: number; audio_tokens?: number };
}

export interface TopLogprob {
  token: string;
  logprob: number;
  bytes: number[] | null;
}

export interface TokenLogprob extends TopLogprob {
  top_logprobs: TopLogprob[];
}

export interface ChoiceLogprobs {
  content: TokenLogprob[] | null;
  refusal?: TokenLogprob[] | null;
}

export interface AssistantMessage {
  role: "assistant";
  content: string | null;
  refusal: string | null;
  tool_calls?: ToolCall[];
  /** Not in OpenAI's API: reasoning text, as DeepSeek, vLLM and others return it. */
  reasoning_content?: string;
}

export interface ChatCompletion {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: { index: number; message: AssistantMessage; logprobs: ChoiceLogprobs | null; finish_reason: FinishReason }[];
  usage: CompletionUsage;
  service_tier?: string;
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
  choices: { index: number; delta: ChunkDelta; logprobs: ChoiceLogprobs | null; finish_reason: FinishReason | null }[];
  /** With stream_options.include_usage: null on every chunk but the last, which has no choices. */
  usage?: CompletionUsage | null;
  service_tier?: string;
  /** Some servers report a failure mid-stream as an event with an error object. */
  error?: ErrorBody["error"];
}

export interface EmbeddingsRequest {
  model: string;
  input: string[];
  dimensions?: number;
  user?: string;
  encoding_format: "float";
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

export interface ModelList {
  object: "list";
  data: ModelObject[];
}

export interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
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
