// Ollama's native REST JSON (/api/chat, /api/embed, /api/tags), as documented
// in ollama/docs/api.md (only the fields hoosh reads or writes).
export type Role = "system" | "user" | "assistant" | "tool";

/** Arguments travel as a JSON object, not as JSON text as in OpenAI's format. */
export interface ToolCall {
  /** Newer servers may send one; older ones never do. */
  id?: string;
  function: { index?: number; name: string; arguments: Record<string, unknown> };
}

export interface ChatMessage {
  role: Role;
  content: string;
  /** Base64 image bytes (no data: prefix). */
  images?: string[];
  tool_calls?: ToolCall[];
  /** role "tool": the name of the tool whose result this is. */
  tool_name?: string;
  /** Visible reasoning of thinking models (responses only). */
  thinking?: string;
}

export interface Tool {
  type: "function";
  function: { name: string; description?: string; parameters: object };
}

/** Modelfile parameters settable per request. */
export interface Options {
  temperature?: number;
  top_p?: number;
  top_k?: number;
  num_predict?: number;
  stop?: string[];
  seed?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  tools?: Tool[];
  /** Ollama streams unless this is false: always set it. */
  stream: boolean;
  /** "json" or a JSON schema object. */
  format?: "json" | object;
  options?: Options;
  keep_alive?: string | number;
}

/** A non-streamed answer, and every line of a streamed one (partial until done is true). */
export interface ChatResponse {
  model?: string;
  created_at?: string;
  message?: Partial<ChatMessage> | null;
  done?: boolean;
  /** "stop", "length", "load", "unload", ... (older servers omit it). */
  done_reason?: string;
  prompt_eval_count?: number;
  eval_count?: number;
  total_duration?: number;
  /** A failure reported as a stream line (or an error body). */
  error?: string;
}

export interface EmbedRequest {
  model: string;
  input: string[];
  dimensions?: number;
}

export interface EmbedResponse {
  model?: string;
  embeddings?: number[][];
  prompt_eval_count?: number;
}

export interface TagsResponse {
  models?: { name?: string; model?: string; details?: { family?: string; parameter_size?: string; quantization_level?: string } }[];
}

export interface ErrorBody {
  error?: string;
}
