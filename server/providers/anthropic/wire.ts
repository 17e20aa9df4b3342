// Anthropic Messages API JSON, as documented by Anthropic (only the fields
// hoosh reads or writes).
export type Role = "user" | "assistant";

export type ImageSource = { type: "url"; url: string } | { type: "base64"; media_type: string; data: string };

export interface TextBlock {
  type: "text";
  text: string;
}
export interface ImageBlock {
  type: "image";
  source: ImageSource;
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
}
export interface ThinkingBlock {
  type: "thinking";
  thinking: string;
  signature?: string;
}

export type RequestBlock = TextBlock | ImageBlock | ToolUseBlock | ToolResultBlock;

export interface MessageParam {
  role: Role;
  content: RequestBlock[];
}

export interface Tool {
  name: string;
  description?: string;
  input_schema: object;
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

/** Blocks of an answer; types hoosh does not know (server tools, redacted thinking) are skipped. */
export type ResponseBlock = TextBlock | ToolUseBlock | ThinkingBlock | { type: string };

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
  | { type: string };

export interface ErrorBody {
  type?: "error";
  error?: { type?: string; message?: string };
  request_id?: string;
}

export interface ModelsPage {
  data?: { id: string; type?: "model"; display_name?: string; created_at?: string }[];
  has_more?: boolean;
  first_id?: string | null;
  last_id?: string | null;
}
