// ToolsService over the MCP bridge (server/mcp): proto in, proto out.
import { fromJson, type JsonObject, type JsonValue, type MessageInitShape } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { CallToolResponseSchema, ToolsService } from "../../gen/ts/hoosh/v1/tools_pb.js";
import { keyOf } from "../auth/interceptor.js";
import { invalidArgument } from "../core/errors.js";
import { ALLOW_ALL } from "../mcp/allowlist.js";
import type { ToolsApi } from "../mcp/api.js";
import type { ToolCaller } from "../mcp/calls.js";
import { startRpcCall } from "./call-context.js";

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

export function createToolsService(tools: ToolsApi, requestTimeoutMs: number): ServiceImpl<typeof ToolsService> {
  const start = async (req: { name: string; arguments?: JsonObject; timeoutMs: number }, ctx: HandlerContext) => {
    if (req.name === "") throw invalidArgument("name", 'is required: a tool\'s exposed name, e.g. "server.tool" (ListTools shows them)');
    const { call, end } = startRpcCall(ctx, requestTimeoutMs);
    const options = { edge: "rpc", requestId: call.requestId, signal: call.signal, timeoutMs: req.timeoutMs > 0 ? req.timeoutMs : undefined };
    try {
      return { who: callerOf(ctx), args: (req.arguments ?? {}) as Record<string, unknown>, options, server: await tools.serverOf(req.name), started: performance.now(), end };
    } catch (err) {
      end();
      throw err;
    }
  };
  return {
    async listTools(req, ctx) {
      let list = await tools.list(callerOf(ctx));
      if (req.server) list = list.filter((t) => t.server === req.server);
      list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      return {
        tools: list.map((t) => ({
          name: t.name,
          server: t.server,
          serverTool: t.original,
          title: t.item.title ?? "",
          description: t.item.description ?? "",
          inputSchema: t.item.inputSchema as JsonObject,
          outputSchema: t.item.outputSchema as JsonObject | undefined,
          annotations: t.item.annotations as JsonObject | undefined,
        })),
        servers: await tools.servers(),
      };
    },
    async callTool(req, ctx) {
      const s = await start(req, ctx);
      try {
        const result = await tools.call(s.who, req.name, s.args, s.options);
        return response(result, s.server, performance.now() - s.started);
      } finally {
        s.end();
      }
    },
    async *callToolStream(req, ctx) {
      const s = await start(req, ctx);
      try {
        for await (const e of tools.stream(s.who, req.name, s.args, s.options)) {
          if (e.kind === "progress") yield { event: { case: "progress", value: e.progress } };
          else if (e.kind === "log") yield { event: { case: "log", value: { level: e.level, logger: e.logger, data: fromJson(ValueSchema, e.data as JsonValue) } } };
          else yield { event: { case: "result", value: response(e.result, s.server, performance.now() - s.started) } };
        }
      } finally {
        s.end();
      }
    },
  };
}
