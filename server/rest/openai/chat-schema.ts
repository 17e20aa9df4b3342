// The chat-completions and embeddings request bodies as OpenAI documents them, as zod schemas: the
// types of every field hoosh reads (null counts as absent, as OpenAI treats it). Ranges the core
// checks for every edge (temperature, penalties) are left to it; cross-field rules are in
// chat-request.ts. Fields not listed here are unknown and reported, never silently used.
import { z } from "zod";
import { DETAIL_NAMES, EFFORT_NAMES, ROLE_NAMES } from "../../providers/openai/enums.js";

const UINT32_MAX = 0xffff_ffff;
export const nullish = <T extends z.ZodType>(t: T) => t.nullish();

export const TextPart = z.object({ type: z.literal("text"), text: z.string() });
const ImageUrlPart = z.object({
  type: z.literal("image_url"),
  image_url: z.object({ url: z.string().meta({ hint: "an http(s) URL or a data:image/...;base64 URL" }), detail: nullish(z.enum(DETAIL_NAMES)) }),
});
const AudioPart = z.object({ type: z.literal("input_audio"), input_audio: z.object({ data: z.string().meta({ hint: "base64 audio" }), format: z.enum(["wav", "mp3"]) }) });
const RefusalPart = z.object({ type: z.literal("refusal"), refusal: z.string() });
const Part = z.discriminatedUnion("type", [TextPart, ImageUrlPart, AudioPart, RefusalPart]);
export type ChatPart = z.output<typeof Part>;

const ToolCall = z.object({
  id: z.string(),
  type: nullish(z.literal("function")),
  function: z.object({ name: z.string(), arguments: nullish(z.string()) }).meta({ hint: "{name, arguments}" }),
});

const Message = z.object({
  role: z.enum([...ROLE_NAMES, "function"]),
  content: z.union([z.string(), z.array(Part)]).nullish().meta({ expected: "a string, an array of content parts or null" }),
  name: nullish(z.string()),
  tool_calls: nullish(z.array(ToolCall)),
  tool_call_id: nullish(z.string()),
  function_call: z.unknown().optional(),
});
export type ChatMessage = z.output<typeof Message>;

export const FunctionTool = z.object({
  type: z.literal("function"),
  function: z
    .object({ name: z.string(), description: nullish(z.string()), parameters: nullish(z.record(z.string(), z.unknown())), strict: nullish(z.boolean()) })
    .meta({ hint: "{name, description, parameters}" }),
});

const ToolChoice = z
  .union([z.enum(["auto", "none", "required"]), z.object({ type: z.literal("function"), function: z.object({ name: z.string() }) })])
  .meta({ expected: 'one of: auto, none, required, or {"type":"function","function":{"name":...}}' });

const ResponseFormat = z.object({
  type: z.enum(["text", "json_object", "json_schema"]),
  json_schema: nullish(z.object({ name: z.string(), schema: z.record(z.string(), z.unknown()).meta({ hint: "a JSON Schema object" }), strict: nullish(z.boolean()) })),
});

const Stop = z.union([z.string(), z.array(z.string())]).meta({ expected: "a string or an array of strings" });

/** Fields with an OpenAI meaning hoosh has no equivalent for: accepted, reported in x-hoosh-ignored-params. */
export const IGNORED_CHAT_FIELDS = ["logit_bias", "store", "prompt_cache_key", "verbosity", "web_search_options"] as const;

export const ChatBody = z.object({
  model: z.string().meta({ hint: 'e.g. "gpt-4o-mini"' }),
  messages: z.array(Message).min(1, "is empty; at least one message is required").meta({ expected: "an array of messages", hint: "an array of messages" }),
  stream: nullish(z.boolean()),
  stream_options: nullish(z.object({ include_usage: nullish(z.boolean()) })),
  max_completion_tokens: nullish(z.int().min(1).max(UINT32_MAX)),
  max_tokens: nullish(z.int().min(1).max(UINT32_MAX)),
  temperature: nullish(z.number()),
  top_p: nullish(z.number()),
  top_k: nullish(z.int().min(1).max(UINT32_MAX)),
  seed: nullish(z.int()),
  presence_penalty: nullish(z.number()),
  frequency_penalty: nullish(z.number()),
  stop: nullish(Stop),
  n: nullish(z.int().min(1).max(128)),
  logprobs: nullish(z.boolean()),
  top_logprobs: nullish(z.int().min(0).max(20)),
  tools: nullish(z.array(FunctionTool)),
  tool_choice: nullish(ToolChoice),
  parallel_tool_calls: nullish(z.boolean()),
  response_format: nullish(ResponseFormat),
  reasoning_effort: nullish(z.enum(EFFORT_NAMES)),
  service_tier: nullish(z.enum(["auto", "default", "flex", "scale", "priority"])),
  prediction: nullish(z.object({ type: z.literal("content"), content: z.union([z.string(), z.array(TextPart)]).meta({ expected: "a string or an array of text parts" }) })),
  metadata: nullish(z.record(z.string(), z.string())),
  user: nullish(z.string()),
  safety_identifier: nullish(z.string()),
  modalities: nullish(z.array(z.string())),
  audio: z.unknown().optional(),
  functions: z.unknown().optional(),
  function_call: z.unknown().optional(),
  ...Object.fromEntries(IGNORED_CHAT_FIELDS.map((k) => [k, z.unknown().optional()])),
});
export type ChatBody = z.output<typeof ChatBody>;

export const EmbeddingsBody = z.object({
  model: z.string().meta({ hint: 'e.g. "text-embedding-3-small"' }),
  input: z.union([z.string(), z.array(z.string()), z.array(z.number()), z.array(z.array(z.number()))]).meta({ expected: "a string or an array of strings", hint: "a string or an array of strings" }),
  dimensions: nullish(z.int().min(1).max(UINT32_MAX)),
  encoding_format: nullish(z.enum(["float", "base64"])),
  user: nullish(z.string()),
});
export type EmbeddingsBody = z.output<typeof EmbeddingsBody>;
