// hoosh.v1 messages → node-llama-cpp chat history, rendered later by the model's own chat
// template. Assistant tool calls and the ROLE_TOOL messages answering them become one
// function-call item (node-llama-cpp keeps a call and its result together).
import { Role, type Message } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import { invalidArgument } from "../../core/errors.js";
import type { ChatHistoryItem } from "../../engines/llm/types.js";

type FunctionCallItem = { type: "functionCall"; name: string; params: unknown; result: unknown };

/** The text of a message; the engine reads text only, so other parts are refused, naming them. */
function textOf(m: Message, i: number, model: string): string {
  return m.content
    .map((part, j) => {
      if (part.part.case === "text") return part.part.value;
      throw invalidArgument(`messages[${i}].content[${j}]`, `${part.part.case} parts are not supported by local model "${model}" (text only)`);
    })
    .join("\n");
}

/** Tool arguments and results are JSON when they parse, else kept as text. */
function parseLoose(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function toHistory(messages: readonly Message[], model: string): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = [];
  const pending = new Map<string, FunctionCallItem>();
  messages.forEach((m, i) => {
    const text = textOf(m, i, model);
    switch (m.role) {
      case Role.SYSTEM:
        history.push({ type: "system", text });
        return;
      case Role.USER:
        history.push({ type: "user", text });
        return;
      case Role.ASSISTANT: {
        const response: Extract<ChatHistoryItem, { type: "model" }>["response"] = text ? [text] : [];
        m.toolCalls.forEach((c, j) => {
          const args = parseLoose(c.arguments || "{}");
          if (typeof args === "string") throw invalidArgument(`messages[${i}].tool_calls[${j}].arguments`, `is not valid JSON: ${JSON.stringify(args.slice(0, 64))}`);
          const call: FunctionCallItem = { type: "functionCall", name: c.name, params: args, result: undefined };
          pending.set(c.id, call);
          response.push(call);
        });
        history.push({ type: "model", response });
        return;
      }
      case Role.TOOL: {
        const call = pending.get(m.toolCallId);
        if (!call) {
          throw invalidArgument(`messages[${i}].tool_call_id`, `${JSON.stringify(m.toolCallId)} does not answer a tool call of an earlier assistant message`);
        }
        call.result = parseLoose(text);
        pending.delete(m.toolCallId);
        return;
      }
      default:
        throw invalidArgument(`messages[${i}].role`, `${m.role} is not allowed`);
    }
  });
  // A call nobody answered still needs a result for the template to render.
  for (const call of pending.values()) call.result = null;
  return history;
}
