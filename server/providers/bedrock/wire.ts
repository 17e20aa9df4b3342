// Amazon Bedrock Converse / ConverseStream JSON, as documented by AWS (only
// the fields hoosh reads or writes). Binary fields (image bytes) are base64 in JSON.

export type ImageFormat = "png" | "jpeg" | "gif" | "webp";

export type ToolResultContent = { text: string } | { json: unknown };

export type ContentBlock =
  | { text: string }
  | { image: { format: ImageFormat; source: { bytes: string } } }
  | { toolUse: { toolUseId: string; name: string; input: unknown } }
  | { toolResult: { toolUseId: string; content: ToolResultContent[]; status?: "success" | "error" } }
  | { reasoningContent: { reasoningText?: { text?: string; signature?: string } } };

export interface Message {
  role: "user" | "assistant";
  content: ContentBlock[];
}

export interface ToolSpec {
  toolSpec: { name: string; description?: string; inputSchema: { json: object } };
}

export type ToolChoice = { auto: Record<string, never> } | { any: Record<string, never> } | { tool: { name: string } };

export interface ConverseRequest {
  messages: Message[];
  system?: { text: string }[];
  inferenceConfig?: { maxTokens?: number; temperature?: number; topP?: number; stopSequences?: string[] };
  toolConfig?: { tools: ToolSpec[]; toolChoice?: ToolChoice };
}

export interface TokenUsage {
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

export interface ConverseResponse {
  output?: { message?: Message };
  stopReason?: string;
  usage?: TokenUsage;
  metrics?: { latencyMs?: number };
}

/** ConverseStream events, by the frame's :event-type header. */
export interface StreamEvents {
  messageStart: { role?: string };
  contentBlockStart: { contentBlockIndex: number; start?: { toolUse?: { toolUseId?: string; name?: string } } };
  contentBlockDelta: {
    contentBlockIndex: number;
    delta?: { text?: string; toolUse?: { input?: string }; reasoningContent?: { text?: string; signature?: string } };
  };
  contentBlockStop: { contentBlockIndex: number };
  messageStop: { stopReason?: string };
  metadata: { usage?: TokenUsage; metrics?: { latencyMs?: number } };
}

/** Error bodies: {"message": ...} (some services spell it "Message"); the type is in x-amzn-ErrorType. */
export interface ErrorBody {
  message?: string;
  Message?: string;
  __type?: string;
}

/** InvokeModel with an Amazon Titan text-embedding model. */
export interface TitanEmbedRequest {
  inputText: string;
  dimensions?: number;
  normalize?: boolean;
}
export interface TitanEmbedResponse {
  embedding?: number[];
  inputTextTokenCount?: number;
}

/** GET /foundation-models on the control-plane endpoint. */
export interface FoundationModels {
  modelSummaries?: { modelId?: string; outputModalities?: string[]; responseStreamingSupported?: boolean }[];
}
