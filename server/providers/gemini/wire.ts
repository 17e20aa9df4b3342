// Google Gemini API (generativelanguage v1beta) JSON, as documented by Google
// (only the fields hoosh reads or writes).

export type Role = "user" | "model";

/** Gemini's OpenAPI 3.0 subset of a schema (function parameters, responseSchema). */
export interface Schema {
  type?: "STRING" | "NUMBER" | "INTEGER" | "BOOLEAN" | "ARRAY" | "OBJECT";
  format?: string;
  title?: string;
  description?: string;
  nullable?: boolean;
  enum?: string[];
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  propertyOrdering?: string[];
  minProperties?: number;
  maxProperties?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  anyOf?: Schema[];
  example?: unknown;
}

export interface FunctionCall {
  /** Newer models may give an id; older ones never do. */
  id?: string;
  name: string;
  args?: Record<string, unknown>;
}

export interface Part {
  text?: string;
  /** True on a part of the model's reasoning summary (thinking models). */
  thought?: boolean;
  thoughtSignature?: string;
  inlineData?: { mimeType: string; data: string };
  fileData?: { mimeType?: string; fileUri: string };
  functionCall?: FunctionCall;
  functionResponse?: { id?: string; name: string; response: Record<string, unknown> };
}

export interface Content {
  role?: Role;
  parts: Part[];
}

export interface FunctionDeclaration {
  name: string;
  description?: string;
  parameters?: Schema;
}

export interface GenerationConfig {
  temperature?: number;
  topP?: number;
  topK?: number;
  maxOutputTokens?: number;
  stopSequences?: string[];
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  responseMimeType?: "application/json" | "text/plain";
  responseSchema?: Schema;
}

export interface GenerateContentRequest {
  contents: Content[];
  systemInstruction?: { parts: Part[] };
  tools?: { functionDeclarations: FunctionDeclaration[] }[];
  toolConfig?: { functionCallingConfig: { mode: "AUTO" | "NONE" | "ANY"; allowedFunctionNames?: string[] } };
  generationConfig?: GenerationConfig;
}

export interface SafetyRating {
  category?: string;
  probability?: string;
  blocked?: boolean;
}

export interface Candidate {
  content?: { role?: string; parts?: Part[] };
  finishReason?: string;
  finishMessage?: string;
  safetyRatings?: SafetyRating[];
  index?: number;
}

export interface ModalityTokenCount {
  modality?: string;
  tokenCount?: number;
}

export interface UsageMetadata {
  promptTokenCount?: number;
  cachedContentTokenCount?: number;
  candidatesTokenCount?: number;
  toolUsePromptTokenCount?: number;
  thoughtsTokenCount?: number;
  totalTokenCount?: number;
  promptTokensDetails?: ModalityTokenCount[];
  candidatesTokensDetails?: ModalityTokenCount[];
}

export interface GenerateContentResponse {
  candidates?: Candidate[];
  promptFeedback?: { blockReason?: string; safetyRatings?: SafetyRating[] };
  usageMetadata?: UsageMetadata;
  modelVersion?: string;
  responseId?: string;
  /** A failure reported inside a stream. */
  error?: GoogleError;
}

export interface BatchEmbedContentsRequest {
  requests: { model: string; content: { parts: { text: string }[] }; outputDimensionality?: number }[];
}

export interface BatchEmbedContentsResponse {
  embeddings?: { values?: number[] }[];
}

export interface ModelsResponse {
  models?: { name?: string; supportedGenerationMethods?: string[] }[];
  nextPageToken?: string;
}

/** google.rpc.Status as Google's JSON APIs send it. */
export interface GoogleError {
  code?: number;
  message?: string;
  /** A gRPC code name, e.g. "INVALID_ARGUMENT". */
  status?: string;
  details?: { "@type"?: string; reason?: string; retryDelay?: string; [key: string]: unknown }[];
}

export interface ErrorBody {
  error?: GoogleError;
}
