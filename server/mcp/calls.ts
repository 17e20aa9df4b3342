// One tool call through hoosh, whichever edge it came in on (gRPC, REST, /mcp):
// the key's allowlist, the arguments (size and schema), the key's and the
// server's rates, the server's concurrency, then the call itself with its
// timeout and cancellation, relayed progress and server-to-caller messages,
// and one record of it. A tool that reports isError is a successful call
// carrying the error content; a call past its timeout is cancelled at the
// server (notifications/cancelled) and is DEADLINE_EXCEEDED.
import { Code, ConnectError } from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { ALLOW_ALL, type NameFilter } from "./allowlist.js";
import { fromUpstream } from "./errors.js";
import type { Exposed, McpHub } from "./hub.js";
import { CallGate, type ToolRateLimits } from "./limits.js";
import { redactArguments } from "./redact.js";
import type { Caller } from "./relay.js";
import type { ToolCallOutcome, ToolCallSink } from "./record.js";
import { LOOSE } from "./upstream/catalog.js";
import type { ArgumentValidator } from "./validate-args.js";

export interface Progress {
  progress: number;
  total?: number;
  message?: string;
}

export interface ToolCaller {
  /** The API key's id (undefined when auth is off). */
  keyId?: string;
  /** The exposed names this caller may list and call. */
  allowed: NameFilter;
}

export interface CallOptions {
  edge: string;
  requestId: string;
  /** The caller's cancellation (client gone, deadline, server shutdown). */
  signal: AbortSignal;
  /** A shorter timeout than the server's call_timeout_ms, if the caller asked for one. */
  timeoutMs?: number;
  /** Progress notifications from the server, if the caller wants them. */
  onProgress?: (p: Progress) => void;
  /** Who answers the server's requests (sampling, elicitation) and gets its log messages. */
  caller?: Caller;
  /** _meta the caller sent (passed on, without its progress token). */
  meta?: Record<string, unknown>;
}

export interface ToolCallsDeps {
  hub: McpHub;
  validator: ArgumentValidator;
  rates: ToolRateLimits;
  sink: ToolCallSink;
  /** [observability] log_prompts: records carry the (redacted) arguments. */
  logArguments: boolean;
}

export class ToolCalls {
  private readonly gates = new Map<string, CallGate>();

  constructor(private readonly deps: ToolCallsDeps) {
    for (const u of deps.hub.servers) this.gates.set(u.name, new CallGate(u.name, u.config.max_concurrent_calls, u.config.max_queued_calls));
  }

  get hub(): McpHub {
    return this.deps.hub;
  }

  /** The tools this caller may call. */
  list(who: ToolCaller): Exposed<Tool>[] {
    return this.deps.hub.tools().filter((t) => who.allowed(t.name));
  }

  /** Calls tool `name`; throws ConnectError for everything but a result (isError results included). */
  async call(who: ToolCaller, name: string, args: Record<string, unknown>, options: CallOptions): Promise<CallToolResult> {
    const started = performance.now();
    const time = new Date().toISOString();
    let exposed: Exposed<Tool> | undefined;
    let outcome: ToolCallOutcome = "error";
    let failure: ConnectError | undefined;
    try {
      exposed = this.resolve(who, name);
      const upstream = this.deps.hub.upstream(exposed.server)!;
      this.deps.validator.check(exposed.item, exposed.name, args, upstream.config.max_argument_bytes, `mcp_servers "${exposed.server}" max_argument_bytes`);
      await this.deps.rates.admit(who.keyId, exposed.server);
      const result = await this.run(exposed, upstream.config.call_timeout_ms, args, options);
      outcome = result.isError === true ? "tool_error" : "ok";
      return result;
    } catch (err) {
      failure = ConnectError.from(err);
      outcome = failure.code === Code.DeadlineExceeded ? "timeout" : failure.code === Code.Canceled ? "cancelled" : "error";
      throw failure;
    } finally {
      this.deps.sink.record({
        kind: "tool_call",
        started_at: time,
        request_id: options.requestId,
        edge: options.edge,
        key: who.keyId,
        server: exposed?.server ?? "",
        tool: exposed?.name ?? name,
        server_tool: exposed?.original ?? "",
        duration_ms: Math.round((performance.now() - started) * 1000) / 1000,
        outcome,
        code: failure ? codeToString(failure.code) : undefined,
        error: failure?.rawMessage,
        arguments_bytes: Buffer.byteLength(JSON.stringify(args)),
        arguments: this.deps.logArguments ? redactArguments(args) : undefined,
      });
    }
  }

  /** The tool, if this caller may call it: PERMISSION_DENIED before NOT_FOUND, so names a key may not use stay unknown to it. */
  private resolve(who: ToolCaller, name: string): Exposed<Tool> {
    if (name === "") throw new ConnectError("name: is empty; give a tool's exposed name (e.g. \"server.tool\"; ListTools shows them)", Code.InvalidArgument);
    if (who.allowed !== ALLOW_ALL && !who.allowed(name)) {
      throw new ConnectError(`API key "${who.keyId ?? ""}" may not call tool "${name}" (its [[keys]] tools patterns do not match it)`, Code.PermissionDenied);
    }
    const exposed = this.deps.hub.tool(name);
    if (!exposed) {
      // A name in the namespace of a server that is down: say the server is down.
      const owner = this.deps.hub.servers.find((u) => u.state !== "ready" && name.startsWith(`${this.deps.hub.namespaceOf(u.name)}.`) && this.deps.hub.namespaceOf(u.name) !== "");
      if (owner) throw owner.whyUnavailable();
      const down = this.deps.hub.servers.filter((u) => u.state !== "ready").map((u) => u.name);
      const hint = down.length > 0 ? `; MCP servers not ready now: ${down.map((d) => `"${d}"`).join(", ")}` : "";
      throw new ConnectError(`name: no tool "${name}"; ListTools shows the tools this key may call${hint}`, Code.NotFound);
    }
    return exposed;
  }

  private async run(exposed: Exposed<Tool>, serverTimeoutMs: number, args: Record<string, unknown>, options: CallOptions): Promise<CallToolResult> {
    const timeoutMs = Math.min(serverTimeoutMs, options.timeoutMs ?? serverTimeoutMs);
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), timeoutMs);
    const signal = AbortSignal.any([options.signal, timeout.signal]);
    const release = await this.gates.get(exposed.server)!.acquire(signal).catch((err: unknown) => {
      clearTimeout(timer);
      throw this.aborted(exposed, timeoutMs, timeout.signal, options.signal) ?? err;
    });
    try {
      const upstream = this.deps.hub.upstream(exposed.server)!;
      const meta = options.meta ? { ...options.meta } : undefined;
      if (meta) delete meta.progressToken;
      const params = { name: exposed.original, arguments: args, ...(meta && Object.keys(meta).length > 0 ? { _meta: meta } : {}) };
      const onprogress = options.onProgress;
      const result = await upstream.request(
        (client) =>
          client.request({ method: "tools/call", params }, LOOSE, {
            signal,
            // hoosh's own timer decides (and names the limit); the SDK's is only a backstop.
            timeout: timeoutMs + 60_000,
            onprogress: onprogress && ((p) => onprogress({ progress: p.progress, total: p.total, message: p.message })),
          }) as Promise<CallToolResult>,
        options.caller,
      );
      return checkResult(exposed, result);
    } catch (err) {
      throw this.aborted(exposed, timeoutMs, timeout.signal, options.signal) ?? fromUpstream(exposed.server, err);
    } finally {
      clearTimeout(timer);
      release();
    }
  }

  /** Why the call was stopped, if it was: hoosh's timeout (DEADLINE_EXCEEDED) or the caller (its reason). */
  private aborted(exposed: Exposed<Tool>, timeoutMs: number, timeout: AbortSignal, caller: AbortSignal): ConnectError | undefined {
    if (caller.aborted) {
      const reason: unknown = caller.reason;
      return reason instanceof ConnectError ? reason : new ConnectError(`the caller cancelled the call to tool "${exposed.name}"; hoosh cancelled it at MCP server "${exposed.server}"`, Code.Canceled);
    }
    if (timeout.aborted) {
      return new ConnectError(
        `tool "${exposed.name}" did not answer within ${timeoutMs} ms; hoosh cancelled it at MCP server "${exposed.server}" (mcp_servers call_timeout_ms, or the request's timeout_ms)`,
        Code.DeadlineExceeded,
      );
    }
    return undefined;
  }
}

/** A result must carry a content array (MCP's CallToolResult); anything else is the server's fault. */
function checkResult(exposed: Exposed<Tool>, result: CallToolResult): CallToolResult {
  if (!Array.isArray(result.content)) {
    if ("task" in result) throw new ConnectError(`MCP server "${exposed.server}" answered tool "${exposed.name}" with a task; hoosh does not relay MCP tasks`, Code.Unimplemented);
    return { ...result, content: [] };
  }
  return result;
}
