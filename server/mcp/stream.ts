// A tool call as a stream of events: the server's progress and log messages as
// they come, then the result (or the call's error). For callers that cannot
// answer the server's own requests (gRPC streams): those are refused, and the
// tool sees an error from its sampling or elicitation request.
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { CallOptions, Progress, ToolCaller, ToolCalls } from "./calls.js";

export type ToolEvent =
  | { kind: "progress"; progress: Progress }
  | { kind: "log"; level: string; logger: string; data: unknown }
  | { kind: "result"; result: CallToolResult };

export async function* callToolStream(
  calls: ToolCalls,
  who: ToolCaller,
  name: string,
  args: Record<string, unknown>,
  options: Omit<CallOptions, "onProgress" | "caller">,
): AsyncGenerator<ToolEvent> {
  const queue: ToolEvent[] = [];
  let wake: (() => void) | undefined;
  const push = (e: ToolEvent) => {
    queue.push(e);
    wake?.();
  };
  let finished = false;
  let failure: unknown;
  const call = calls
    .call(who, name, args, {
      ...options,
      onProgress: (progress) => push({ kind: "progress", progress }),
      caller: {
        request: (method) => Promise.reject(new McpError(ErrorCode.MethodNotFound, `hoosh's caller (a CallToolStream RPC) cannot answer ${method}`)),
        notify: (method, params) => {
          if (method !== "notifications/message" || !params) return;
          push({ kind: "log", level: String(params.level ?? "info"), logger: String(params.logger ?? ""), data: params.data ?? null });
        },
      },
    })
    .then(
      (result) => push({ kind: "result", result }),
      (err: unknown) => {
        failure = err;
      },
    )
    .finally(() => {
      finished = true;
      wake?.();
    });
  try {
    for (;;) {
      const next = queue.shift();
      if (next) {
        yield next;
        continue;
      }
      if (finished) break;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
    if (failure !== undefined) throw failure;
  } finally {
    await call;
  }
}
