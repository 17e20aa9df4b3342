// The request checks the fake Ollama makes, with the messages Ollama (Go's
// JSON decoder and its handlers) gives for them.
type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const typeName = (v: unknown) => (Array.isArray(v) ? "array" : v === null ? "null" : typeof v);

function checkMessage(m: unknown): string | null {
  if (!isObject(m)) return `json: cannot unmarshal ${typeName(m)} into Go struct field ChatRequest.messages of type api.Message`;
  if (typeof m.role !== "string") return "json: cannot unmarshal role into Go struct field Message.messages.role of type string";
  if (m.content !== undefined && typeof m.content !== "string") {
    return `json: cannot unmarshal ${typeName(m.content)} into Go struct field Message.messages.content of type string`;
  }
  if (m.images !== undefined) {
    if (!Array.isArray(m.images)) return `json: cannot unmarshal ${typeName(m.images)} into Go struct field Message.messages.images of type []api.ImageData`;
    for (const img of m.images) {
      if (typeof img !== "string" || img.length % 4 !== 0 || !BASE64.test(img)) return "illegal base64 data at input byte 0";
    }
  }
  for (const call of Array.isArray(m.tool_calls) ? m.tool_calls : []) {
    const fn = isObject(call) ? call.function : undefined;
    if (!isObject(fn) || typeof fn.name !== "string") return "json: cannot unmarshal tool call into Go struct field Message.messages.tool_calls of type api.ToolCall";
    if (!isObject(fn.arguments)) {
      return `json: cannot unmarshal ${typeName(fn.arguments)} into Go struct field ToolCallFunction.messages.tool_calls.function.arguments of type api.ToolCallFunctionArguments`;
    }
  }
  return null;
}

/** The error message for a bad /api/chat body, or null. */
export function checkChat(body: Json): string | null {
  if (typeof body.model !== "string" || body.model === "") return "model is required";
  if (body.messages !== undefined && !Array.isArray(body.messages)) {
    return `json: cannot unmarshal ${typeName(body.messages)} into Go struct field ChatRequest.messages of type []api.Message`;
  }
  for (const m of Array.isArray(body.messages) ? body.messages : []) {
    const problem = checkMessage(m);
    if (problem) return problem;
  }
  if (body.format !== undefined && body.format !== "" && body.format !== "json" && !isObject(body.format)) {
    return `invalid format: ${JSON.stringify(body.format)}; expected "json" or a valid JSON schema`;
  }
  if (body.options !== undefined && !isObject(body.options)) return "json: cannot unmarshal options into Go struct field ChatRequest.options of type map[string]interface {}";
  if (body.stream !== undefined && typeof body.stream !== "boolean") return "json: cannot unmarshal stream into Go struct field ChatRequest.stream of type bool";
  return null;
}
