// OpenAI chat-completions and embeddings JSON, as documented by OpenAI
// (only the fields hoosh reads or writes).
export type Role = "system" | "user" | "assistant" | "tool";
export type ImageDetail = "low" | "high" | "auto";

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

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  max_completion_tokens?: number;
  stop?: string[];
  seed?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
  tools?: { type: "function"; function: { name: string; description?: string; parameters: object; strict?: boolean } }[];
  tool_choice?: "auto" | "none" | "required" | { type: "function"; function: { name: string } };
  parallel_tool_calls?: boolean;
  response_format?: { type: "text" } | { type: "json_object" } | { type: "json_schema"; json_schema: { name: string; schema: object; strict?: boolean } };
  user?: string;
  stream?: boolean;
  stream_options?: { include_usage: boolean };
}

export interface Usage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number; audio_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number; audio_tokens?: number } | null;
}

export interface ChatResponse {
  id?: string;
  model?: string;
  choices?: { index: number; message?: { role: string; content?: string | null; tool_calls?: ToolCall[] }; finish_reason?: string | null }[];
  usage?: Usage | null;
}

export interface ToolCallChunk {
  index: number;
  id?: string;
  type?: "function";
  function?: { name?: string; arguments?: string };
}

export interface ChatChunk {
  id?: string;
  model?: string;
  choices?: {
    index: number;
    delta?: { role?: string; content?: string | null; reasoning_content?: string | null; tool_calls?: ToolCallChunk[] };
    finish_reason?: string | null;
  }[];
  usage?: Usage | null;
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

export interface EmbeddingsResponse {
  model?: string;
  data?: { index: number; embedding: number[] }[];
  usage?: { prompt_tokens?: number; total_tokens?: number };
}

export interface ErrorBody {
  error?: { message?: string; type?: string; param?: string | null; code?: string | number | null };
}

export interface ModelsResponse {
  data?: { id: string }[];
}
