// The Responses API request body (POST /v1/responses) as OpenAI documents it, as zod schemas: the
// fields hoosh reads (null counts as absent). Input items are messages (string or part content),
// function_call and function_call_output; reasoning items a client echoes back are accepted and
// skipped (reported in x-hoosh-ignored-params). Fields not listed here are unknown and reported.
import { z } from "zod";
import { DETAIL_NAMES, EFFORT_NAMES } from "../../../providers/openai/enums.js";

const UINT32_MAX = 0xffff_ffff;
const nullish = <T extends z.ZodType>(t: T) => t.nullish();

const InputText = z.object({ type: z.literal("input_text"), text: z.string() });
const OutputText = z.object({ type: z.literal("output_text"), text: z.string() });
const Refusal = z.object({ type: z.literal("refusal"), refusal: z.string() });
const InputImage = z.object({
  type: z.literal("input_image"),
  image_url: z.string().meta({ hint: "an http(s) URL or a data:image/...;base64 URL" }),
  detail: nullish(z.enum(DETAIL_NAMES)),
});
const Part = z.discriminatedUnion("type", [InputText, OutputText, Refusal, InputImage]);
export type InputPart = z.output<typeof Part>;

const MessageItem = z.object({
  type: z.literal("message"),
  role: z.enum(["user", "assistant", "system", "developer"]),
  content: z.union([z.string(), z.array(Part)]).meta({ expected: "a string or an array of content parts" }),
  id: nullish(z.string()),
  status: nullish(z.string()),
});
const FunctionCallItem = z.object({
  type: z.literal("function_call"),
  call_id: z.string(),
  name: z.string(),
  arguments: z.string(),
  id: nullish(z.string()),
  status: nullish(z.string()),
});
const FunctionCallOutputItem = z.object({
  type: z.literal("function_call_output"),
  call_id: z.string(),
  output: z.union([z.string(), z.array(Part)]).meta({ expected: "a string or an array of content parts" }),
  id: nullish(z.string()),
  status: nullish(z.string()),
});
const ReasoningItem = z.object({ type: z.literal("reasoning") }).loose();

/** An item without "type" is a message (EasyInputMessage); otherwise the type picks the item. */
const Item = z.preprocess(
  (v) => (typeof v === "object" && v !== null && !Array.isArray(v) && (v as { type?: unknown }).type === undefined ? { ...v, type: "message" } : v),
  z.discriminatedUnion("type", [MessageItem, FunctionCallItem, FunctionCallOutputItem, ReasoningItem]),
);
export type InputItem = z.output<typeof Item>;

const FunctionTool = z.object({
  type: z.literal("function"),
  name: z.string(),
  description: nullish(z.string()),
  parameters: nullish(z.record(z.string(), z.unknown())),
  strict: nullish(z.boolean()),
});

const ToolChoice = z
  .union([z.enum(["auto", "none", "required"]), z.object({ type: z.literal("function"), name: z.string() })])
  .meta({ expected: 'one of: auto, none, required, or {"type":"function","name":...}' });

const Format = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({
    type: z.literal("json_schema"),
    name: z.string(),
    schema: z.record(z.string(), z.unknown()).meta({ hint: "a JSON Schema object" }),
    strict: nullish(z.boolean()),
    description: nullish(z.string()),
  }),
]);

/** Fields with an OpenAI meaning hoosh has no equivalent for: accepted, reported in x-hoosh-ignored-params. */
export const IGNORED_RESPONSES_FIELDS = ["include", "truncation", "prompt_cache_key", "max_tool_calls", "stream_options"] as const;

export const ResponsesBody = z.object({
  model: z.string().meta({ hint: 'e.g. "gpt-4o-mini"' }),
  input: z.union([z.string(), z.array(Item)]).meta({ expected: "a string or an array of input items", hint: "a string or an array of input items" }),
  instructions: nullish(z.string()),
  stream: nullish(z.boolean()),
  tools: nullish(z.array(FunctionTool)),
  tool_choice: nullish(ToolChoice),
  parallel_tool_calls: nullish(z.boolean()),
  text: nullish(z.object({ format: nullish(Format), verbosity: nullish(z.string()) })),
  max_output_tokens: nullish(z.int().min(1).max(UINT32_MAX)),
  temperature: nullish(z.number()),
  top_p: nullish(z.number()),
  top_logprobs: nullish(z.int().min(0).max(20)),
  reasoning: nullish(z.object({ effort: nullish(z.enum(EFFORT_NAMES)), summary: nullish(z.string()), generate_summary: nullish(z.string()) })),
  store: nullish(z.boolean()),
  previous_response_id: nullish(z.string()),
  conversation: z.unknown().optional(),
  background: nullish(z.boolean()),
  metadata: nullish(z.record(z.string(), z.string())),
  user: nullish(z.string()),
  safety_identifier: nullish(z.string()),
  service_tier: nullish(z.enum(["auto", "default", "flex", "scale", "priority"])),
  ...Object.fromEntries(IGNORED_RESPONSES_FIELDS.map((k) => [k, z.unknown().optional()])),
});
export type ResponsesBody = z.output<typeof ResponsesBody>;
