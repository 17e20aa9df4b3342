// ToolsService over the MCP tool calls (server/mcp): proto in, proto out.
import { fromJson, type JsonObject, type JsonValue, type MessageInitShape } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { CallToolResponseSchema, ToolsService } from "../../gen/ts/hoosh/v1/tools_pb.js";
import { keyOf } from "../auth/interceptor.js";
import { invalidArgument } from "../core/errors.js";
import { ALLOW_ALL } from "../mcp/allowlist.js";
import type { ToolCaller, ToolCalls } from "../mcp/calls.js";
import { callToolStream } from "../mcp/stream.js";
import { callContext } from "./call-context.js";

function callerOf(ctx: HandlerContext): ToolCaller {
  const key = keyOf(ctx);
  return key ? { keyId: key.id, allowed: key.allowsTool } : { allowed: ALLOW_ALL };
}

function response(result: CallToolResult, server: string, durationMs: number): MessageInitShape<typeof CallToolResponseSchema> {
  return {
    content: result.content as unknown as JsonObject[],
    structuredContent: result.structuredContent as JsonObject | undefined,
    isError: result.isError === true,
    server,
    durationMs,
  };
}

export function createToolsService(calls: ToolCalls, requestTimeoutMs: number): ServiceImpl<typeof ToolsService> {
  const start = (req: { name: string; arguments?: JsonObject; timeoutMs: number }, ctx: HandlerContext) => {
    if (req.name === "") throw invalidArgument("name", 'is required: a tool\'s exposed name, e.g. "server.tool" (ListTools shows them)');
    const call = callContext(ctx, requestTimeoutMs);
    const server = calls.hub.tool(req.name)?.server ?? "";
    const options = { edge: "rpc", requestId: call.requestId, signal: call.signal, timeoutMs: req.timeoutMs > 0 ? req.timeoutMs : undefined };
    return { who: callerOf(ctx), args: (req.arguments ?? {}) as Record<string, unknown>, options, server, started: performance.now() };
  };
  return {
    listTools(req, ctx) {
      let tools = calls.list(callerOf(ctx));
      if (req.server) tools = tools.filter((t) => t.server === req.server);
      tools.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      return {
        tools: tools.map((t) => ({
          name: t.name,
          server: t.server,
          serverTool: t.original,
          title: t.item.title ?? "",
          description: t.item.description ?? "",
          inputSchema: t.item.inputSchema as JsonObject,
          outputSchema: t.item.outputSchema as JsonObject | undefined,
          annotations: t.item.annotations as JsonObject | undefined,
        })),
        servers: calls.hub.servers.map((u) => ({
          name: u.name,
          transport: u.config.transport,
          state: u.state,
          lastError: u.lastError ?? "",
          restarts: u.restarts,
          tools: u.catalog.tools.length,
        })),
      };
    },
    async callTool(req, ctx) {
      const s = start(req, ctx);
      const result = await calls.call(s.who, req.name, s.args, s.options);
      return response(result, s.server, performance.now() - s.started);
    },
    async *callToolStream(req, ctx) {
      const s = start(req, ctx);
      for await (const e of callToolStream(calls, s.who, req.name, s.args, s.options)) {
        if (e.kind === "progress") yield { event: { case: "progress", value: e.progress } };
        else if (e.kind === "log") yield { event: { case: "log", value: { level: e.level, logger: e.logger, data: fromJson(ValueSchema, e.data as JsonValue) } } };
        else yield { event: { case: "result", value: response(e.result, s.server, performance.now() - s.started) } };
      }
    },
  };
}
