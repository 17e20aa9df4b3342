// Converse request validation as Bedrock does it (ValidationException, 400):
// the shapes hoosh must get right, checked strictly.
type Json = Record<string, unknown>;
export const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

const BLOCK_KEYS = new Set(["text", "image", "toolUse", "toolResult", "reasoningContent", "document", "video", "guardContent", "cachePoint"]);
const TOP_KEYS = new Set(["messages", "system", "inferenceConfig", "toolConfig", "guardrailConfig", "additionalModelRequestFields", "additionalModelResponseFieldPaths", "promptVariables", "requestMetadata", "performanceConfig"]);

/** The first problem with a Converse body, worded like Bedrock's, or null. */
export function validateConverse(body: Json): string | null {
  for (const key of Object.keys(body)) if (!TOP_KEYS.has(key)) return `Malformed input request: extraneous key [${key}] is not permitted, please reformat your input and try again.`;
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) return "The model returned the following errors: messages: at least one message is required";
  const toolUses = new Set<string>();
  let usesTools = false;
  for (const [i, m] of messages.entries()) {
    if (!isObject(m) || (m.role !== "user" && m.role !== "assistant")) return `messages.${i}.role: must be one of [user, assistant]`;
    if (i === 0 && m.role !== "user") return "A conversation must start with a user message. Try again with a conversation that starts with a user message.";
    if (i > 0 && (messages[i - 1] as Json).role === m.role) return "A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.";
    if (!Array.isArray(m.content) || m.content.length === 0) return `messages.${i}.content: at least one content block is required`;
    for (const [j, b] of m.content.entries()) {
      if (!isObject(b) || Object.keys(b).length !== 1 || !BLOCK_KEYS.has(Object.keys(b)[0]!)) return `messages.${i}.content.${j}: a content block must have exactly one member`;
      if ("text" in b && (typeof b.text !== "string" || b.text === "")) return `messages.${i}.content.${j}.text: must be a non-empty string`;
      if (isObject(b.toolUse)) {
        usesTools = true;
        if (m.role !== "assistant") return `messages.${i}.content.${j}: toolUse is only allowed in assistant messages`;
        if (typeof b.toolUse.toolUseId !== "string" || !isObject(b.toolUse.input)) return `messages.${i}.content.${j}.toolUse: toolUseId and an object input are required`;
        toolUses.add(b.toolUse.toolUseId);
      }
      if (isObject(b.toolResult)) {
        usesTools = true;
        if (m.role !== "user") return `messages.${i}.content.${j}: toolResult is only allowed in user messages`;
        if (!toolUses.has(String(b.toolResult.toolUseId))) return `messages.${i}.content.${j}.toolResult: toolUseId ${String(b.toolResult.toolUseId)} does not match any toolUse in the conversation`;
      }
    }
  }
  const config = body.toolConfig;
  if (usesTools && !isObject(config)) return "The toolConfig field must be defined when using toolUse and toolResult content blocks.";
  if (isObject(config)) {
    if (!Array.isArray(config.tools) || config.tools.length === 0) return "toolConfig.tools: at least one tool is required";
    for (const [k, t] of config.tools.entries()) {
      const spec = isObject(t) ? t.toolSpec : undefined;
      if (!isObject(spec) || typeof spec.name !== "string" || !isObject(spec.inputSchema) || !isObject(spec.inputSchema.json)) return `toolConfig.tools.${k}.toolSpec: name and inputSchema.json are required`;
    }
  }
  if (body.system !== undefined && (!Array.isArray(body.system) || !body.system.every((s) => isObject(s) && typeof s.text === "string"))) return "system: must be a list of {text} blocks";
  return null;
}
