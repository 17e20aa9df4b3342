// Tools, tool_choice and JSON response formats for the Messages API.
//
// JSON mode. Anthropic has no response_format; its documented way to get JSON
// that follows a schema is a tool whose input_schema is that schema, with
// tool_choice forcing the call. hoosh uses that for BOTH JSON types:
//  - TYPE_JSON_SCHEMA: input_schema = the request's schema;
//  - TYPE_JSON_OBJECT: input_schema = {"type":"object"} (any object).
// The alternative for JSON_OBJECT (a system instruction plus an assistant
// prefill of "{") was not taken: newer Claude models and extended thinking
// reject prefills, and the tool route returns an already-parsed object, so
// the answer is valid JSON by construction. The tool's input is handed back
// as the message TEXT (a JSON string) with finish reason STOP; the caller
// never sees the helper tool as a tool call.
//
// With user tools present the model may still call them: tool_choice becomes
// "any" (call some tool: one of the user's, or answer through the JSON tool),
// a forced function_name stays forced, and MODE_NONE forces the JSON tool.
import { ResponseFormat_Type, ToolChoice_Mode } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import type { ChatRequest } from "../provider.js";
import type * as wire from "./wire.js";
import { cacheControl } from "./messages.js";

export const JSON_TOOL_NAME = "json_response";

export interface ToolPlan {
  tools?: wire.Tool[];
  tool_choice?: wire.ToolChoice;
  /** Name of the added JSON-answer tool, when the request asked for JSON. */
  jsonTool?: string;
}

/** A name no user tool has: json_response, json_response_1, ... */
function freeName(taken: Set<string>): string {
  let name = JSON_TOOL_NAME;
  for (let n = 1; taken.has(name); n++) name = `${JSON_TOOL_NAME}_${n}`;
  return name;
}

function jsonTool(req: ChatRequest, taken: Set<string>): wire.Tool | undefined {
  const f = req.responseFormat;
  if (f?.type === ResponseFormat_Type.JSON_SCHEMA) {
    const named = f.schemaName ? ` (schema "${f.schemaName}")` : "";
    return {
      name: freeName(taken),
      description: `Give your complete answer to the user by calling this tool once; its input is the answer, as a JSON object that follows the input schema${named}.`,
      input_schema: f.jsonSchema ?? { type: "object" },
    };
  }
  if (f?.type === ResponseFormat_Type.JSON_OBJECT) {
    return {
      name: freeName(taken),
      description: "Give your complete answer to the user by calling this tool once; its input is the answer, as a JSON object.",
      input_schema: { type: "object" },
    };
  }
  return undefined;
}

export function planTools(req: ChatRequest): ToolPlan {
  const tools: wire.Tool[] = req.tools.map((t) => ({
    name: t.name,
    ...(t.description ? { description: t.description } : {}),
    input_schema: t.parameters ?? { type: "object", properties: {} },
    ...cacheControl(t.cacheBreakpoint),
  }));
  const json = jsonTool(req, new Set(tools.map((t) => t.name)));
  const choice = req.toolChoice?.choice;
  const serial = req.parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};

  if (json) {
    const all = [...tools, json];
    if (choice?.case === "functionName") return { tools: all, tool_choice: { type: "tool", name: choice.value, ...serial }, jsonTool: json.name };
    if (tools.length > 0 && !(choice?.case === "mode" && choice.value === ToolChoice_Mode.NONE)) {
      return { tools: all, tool_choice: { type: "any", ...serial }, jsonTool: json.name };
    }
    // One forced call: parallel calls would split the answer.
    return { tools: all, tool_choice: { type: "tool", name: json.name, disable_parallel_tool_use: true }, jsonTool: json.name };
  }

  // Anthropic rejects tool_choice without tools.
  if (tools.length === 0) return {};
  let tool_choice: wire.ToolChoice | undefined;
  if (choice?.case === "functionName") tool_choice = { type: "tool", name: choice.value, ...serial };
  else if (choice?.case === "mode" && choice.value === ToolChoice_Mode.NONE) tool_choice = { type: "none" };
  else if (choice?.case === "mode" && choice.value === ToolChoice_Mode.REQUIRED) tool_choice = { type: "any", ...serial };
  else if ((choice?.case === "mode" && choice.value === ToolChoice_Mode.AUTO) || req.parallelToolCalls === false) tool_choice = { type: "auto", ...serial };
  return tool_choice ? { tools, tool_choice } : { tools };
}
