// JSON answers on Converse, which has no response format. As Anthropic
// documents for Claude (and the anthropic adapter does, ../anthropic/tools.ts),
// the answer is asked for as a tool call: a tool whose input schema is the
// wanted schema ({"type":"object"} for JSON_OBJECT), forced unless the caller's
// own tools may be called instead. Its input comes back as the message text
// (finish STOP); the caller never sees the helper tool.
import { ResponseFormat_Type, ToolChoice_Mode } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import type { ChatRequest } from "../provider.js";
import type * as wire from "./wire.js";

export const JSON_TOOL_NAME = "json_response";

/** A name no user tool has: json_response, json_response_1, ... */
function freeName(taken: Set<string>): string {
  let name = JSON_TOOL_NAME;
  for (let n = 1; taken.has(name); n++) name = `${JSON_TOOL_NAME}_${n}`;
  return name;
}

/** The tool config with the JSON tool added, and its name; unchanged when the request wants no JSON. */
export function withJsonTool(req: ChatRequest, config: wire.ConverseRequest["toolConfig"]): { config: wire.ConverseRequest["toolConfig"]; jsonTool?: string } {
  const f = req.responseFormat;
  if (f?.type !== ResponseFormat_Type.JSON_OBJECT && f?.type !== ResponseFormat_Type.JSON_SCHEMA) return { config };
  const userTools = config?.tools ?? [];
  const name = freeName(new Set(userTools.map((t) => t.toolSpec.name)));
  const schema = f.type === ResponseFormat_Type.JSON_SCHEMA ? (f.jsonSchema ?? { type: "object" }) : { type: "object" };
  const named = f.type === ResponseFormat_Type.JSON_SCHEMA && f.schemaName ? ` (schema "${f.schemaName}")` : "";
  const tool: wire.ToolSpec = {
    toolSpec: { name, description: `Give your complete answer to the user by calling this tool once; its input is the answer, as a JSON object that follows the input schema${named}.`, inputSchema: { json: schema } },
  };
  const choice = req.toolChoice?.choice;
  const noneAsked = choice?.case === "mode" && choice.value === ToolChoice_Mode.NONE;
  let toolChoice: wire.ToolChoice = { tool: { name } };
  if (choice?.case === "functionName") toolChoice = { tool: { name: choice.value } };
  else if (userTools.length > 0 && !noneAsked) toolChoice = { any: {} };
  return { config: { tools: [...userTools, tool], toolChoice }, jsonTool: name };
}
