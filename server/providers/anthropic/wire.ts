// Anthropic Messages API JSON, as documented by Anthropic (only the fields
// hoosh reads or writes): the one copy, shared by the provider (which writes
// requests and reads answers) and the REST edge (which reads requests and
// writes answers). Answer fields are optional because upstreams may omit them;
// the edge always writes them all.
export type Role = "user" | "assistant";

export type ImageSource = { type: "url"; url: string } | { type: "base64"; media_type: string; data: string };

export interface TextBlock {
  type: "text";
  text: string;
  cache_control?: CacheControl;
}
export interface ImageBlock {
  type: "image";
  source: ImageSource;
  cache_control?: CacheControl;
}
export interface ToolUseBlock {
  type: "tool_use";
  id: string;
  name: string;
  input: unknown;
}
export interface ToolResultBlock {
  type: "tool_result";
  tool_use_id: string;
  content: string | (TextBlock | ImageBlock)[];
  cache_control?: CacheControl;
}
export interface ThinkingBlock {
  type: "thinking";
  thinking: string;
  signature?: string;
}
export interface RedactedThinkingBlock {
  type: "redacted_thinking";
  data: string;
}
/** Marks the end of a prompt prefix Anthropic may cache. */
export interface CacheControl {
  type: "ephemeral";
  ttl?: string;
}

export type RequestBlock = TextBlock | ImageBlock | ToolUseBlock | ToolResultBlock | ThinkingBlock | RedactedThinkingBlock;

export interface MessageParam {
  role: Role;
  content: RequestBlock[];
}

export interface Tool {
  name: string;
  description?: string;
  input_schema: object;
  cache_control?: CacheControl;
}

export type ToolChoice =
  | { type: "auto" | "any"; disable_parallel_tool_use?: boolean }
  | { type: "tool"; name: string; disable_parallel_tool_use?: boolean }
  | { type: "none" };

export interface MessagesRequest {
  model: string;
  max_tokens: number;
  messages: MessageParam[];
  system?: string | TextBlock[];
  temperature?: number;
  top_p?: number;
  top_k?: number;
  stop_sequences?: string[];
  /** Extended thinking: budget_tokens >= 1024 and below max_tokens. */
  thinking?: { type: "enabled"; budget_tokens: number } | { type: "disabled" };
  tools?: Tool[];
  tool_choice?: ToolChoice;
  metadata?: { user_id: string };
  stream?: boolean;
}

/** Why generation stopped. */
export type StopReason = "end_turn" | "max_tokens" | "stop_sequence" | "tool_use" | "refusal" | "pause_turn" | "model_context_window_exceeded";

/** Blocks of an answer; types hoosh does not know (server tools, ...) are skipped. */
export type ResponseBlock = TextBlock | ToolUseBlock | ThinkingBlock | RedactedThinkingBlock | { type: string };

export interface Usage {
  /** Input tokens after the last cache breakpoint: cached tokens are NOT included. */
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

export interface MessagesResponse {
  id?: string;
  type?: "message";
  role?: "assistant";
  model?: string;
  content?: ResponseBlock[];
  stop_reason?: string | null;
  stop_sequence?: string | null;
  usage?: Usage;
}

/** One `data:` payload of the stream; the SSE `event:` name repeats `type`. */
export type StreamEvent =
  | { type: "message_start"; message: MessagesResponse }
  | { type: "content_block_start"; index: number; content_block: ResponseBlock }
  | { type: "content_block_delta"; index: number; delta: BlockDelta }
  | { type: "content_block_stop"; index: number }
  | { type: "message_delta"; delta: { stop_reason?: string | null; stop_sequence?: string | null }; usage?: Usage }
  | { type: "message_stop" }
  | { type: "ping" }
  | { type: "error"; error: ErrorBody["error"] };

export type BlockDelta =
  | { type: "text_delta"; text: string }
  | { type: "input_json_delta"; partial_json: string }
  | { type: "thinking_delta"; thinking: string }
  | { type: "signature_delta"; signature: string }
  | { type: string };

/** Anthropic's error types, as sent in {"type":"error","error":{"type","message"}}. */
export type ErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "request_too_large"
  | "rate_limit_error"
  | "api_error"
  | "timeout_error"
  | "overloaded_error";

export interface ErrorBody {
  type?: "error";
  error?: { type?: ErrorType | (string & {}); message?: string };
  request_id?: string;
}

export interface ModelsPage {
  data?: { id: string; type?: "model"; display_name?: string; created_at?: string }[];
  has_more?: boolean;
  first_id?: string | null;
  last_id?: string | null;
}
