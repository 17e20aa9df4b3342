// Access control for every RPC (gRPC, gRPC-Web, Connect, and REST transcoding,
// which runs the same router in memory): authenticate from call metadata, map
// the method to a scope, check everything the request reaches (models through
// aliases and fallbacks, its budget pool), count the key's rpm/tpm, and leave
// the key in the context values for callContext (CallContext.key). BudgetService
// checks its pools itself (auth/budget-access.ts).
import { createContextKey, type HandlerContext, type Interceptor } from "@connectrpc/connect";
import { POOL_HEADER } from "../core/accounting/pool.js";
import type { ApiKey } from "./keys.js";
import type { Auth, RequestReach, Scope } from "./authorize.js";

/** The authenticated key of this call (undefined when auth is off or the method is open). */
export const API_KEY = createContextKey<ApiKey | undefined>(undefined, { description: "hoosh API key" });

export function keyOf(ctx: Pick<HandlerContext, "values">): ApiKey | undefined {
  return ctx.values.get(API_KEY);
}

const HEALTH = "grpc.health.v1.Health";
const REFLECTION = ["grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"];

/**
 * Scopes per method ("admin" passes every check). Reserve, Commit and Release
 * need "budgets:write", and then a pool the key is granted (rpc/budget.ts);
 * reads accept either budget scope and show only granted pools. Changing a
 * pool's limits (CreatePool, UpdatePool) stays "admin": a key that could raise
 * its own pool's capacity would have no budget. Methods not listed need "admin".
 */
const SCOPES: Record<string, readonly Scope[]> = {
  "hoosh.v1.InferenceService/Generate": ["inference"],
  "hoosh.v1.InferenceService/GenerateStream": ["inference"],
  "hoosh.v1.InferenceService/Embed": ["inference"],
  "hoosh.v1.InferenceService/GetCacheStats": ["inference", "budgets:read"],
  "hoosh.v1.ModelsService/ListModels": ["inference", "transcribe", "budgets:read"],
  "hoosh.v1.ModelsService/GetModel": ["inference", "transcribe", "budgets:read"],
  "hoosh.v1.TranscribeService/Transcribe": ["transcribe"],
  "hoosh.v1.TranscribeService/TranscribeStream": ["transcribe"],
  "hoosh.v1.TranscribeService/TranscribeFile": ["transcribe"],
  // Speech both ways is one scope: /v1/audio/* on REST is too.
  "hoosh.v1.SpeechService/Synthesize": ["transcribe"],
  "hoosh.v1.BudgetService/ListPools": ["budgets:read", "budgets:write"],
  "hoosh.v1.BudgetService/GetPool": ["budgets:read", "budgets:write"],
  // Any key may read its own usage; a budgets scope reads the pools it may use (rpc/budget.ts).
  "hoosh.v1.BudgetService/GetUsageReport": ["budgets:read", "budgets:write", "inference", "transcribe", "tools"],
  "hoosh.v1.BudgetService/CreatePool": ["admin"],
  "hoosh.v1.BudgetService/UpdatePool": ["admin"],
  "hoosh.v1.BudgetService/Reserve": ["budgets:write"],
  "hoosh.v1.BudgetService/Commit": ["budgets:write"],
  "hoosh.v1.BudgetService/Release": ["budgets:write"],
  "hoosh.v1.HardwareService/GetHardware": ["inference"],
  "hoosh.v1.HardwareService/RecommendPlacement": ["inference"],
  "hoosh.v1.AdminService/ReloadConfig": ["admin"],
  "hoosh.v1.AdminService/VerifyAuditLog": ["admin"],
  // The console's overview: gateway-wide figures and provider health, no secrets, no prompts.
  "hoosh.v1.AdminService/WatchStats": ["budgets:read"],
  "hoosh.v1.ToolsService/ListTools": ["tools"],
  "hoosh.v1.ToolsService/CallTool": ["tools"],
  "hoosh.v1.ToolsService/CallToolStream": ["tools"],
};

/** Runs the call counted in flight (auth.enter) until its answer ends: unary now, a response stream when it finishes. */
async function inFlight<R extends { stream: boolean; message: unknown }>(leave: () => void, call: () => Promise<R>): Promise<R> {
  let res: R;
  try {
    res = await call();
  } catch (err) {
    leave();
    throw err;
  }
  if (!res.stream) {
    leave();
    return res;
  }
  return { ...res, message: leaving(res.message as AsyncIterable<unknown>, leave) };
}

/** The stream, calling `leave` once it ends: done, failed, or stopped by its reader (return() also before the first read). */
function leaving<T>(messages: AsyncIterable<T>, leave: () => void): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      const it = messages[Symbol.asyncIterator]();
      return {
        async next() {
          try {
            const r = await it.next();
            if (r.done) leave();
            return r;
          } catch (err) {
            leave();
            throw err;
          }
        },
        async return(value?: unknown) {
          leave();
          return (await it.return?.(value)) ?? { done: true as const, value: undefined };
        },
      };
    },
  };
}

/** The scopes a method needs, or "open". */
export function scopesOf(auth: Auth, service: string, method: string): readonly Scope[] | "open" {
  if (service === HEALTH && auth.options.open_health) return "open";
  if (REFLECTION.includes(service) && auth.options.open_reflection) return "open";
  return SCOPES[`${service}/${method}`] ?? ["admin"];
}

/** What a request reaches (Generate, GenerateStream, Embed: model, routing, pool; GetModel: its id). */
export function reachOf(message: unknown): RequestReach | undefined {
  if (typeof message !== "object" || message === null) return undefined;
  const m = message as { $typeName?: string; model?: unknown; id?: unknown; payload?: { case?: string; value?: unknown } };
  if (m.payload?.case === "config") return reachOf(m.payload.value);
  if (typeof m.model === "string") return m as RequestReach;
  if (m.$typeName === "hoosh.v1.GetModelRequest" && typeof m.id === "string") return { model: m.id };
  return undefined;
}

/** Checks what a client stream's first message reaches (Transcribe's payload config). */
export async function* reachChecked<T>(messages: AsyncIterable<T>, check: (reach: RequestReach) => void): AsyncGenerator<T> {
  let first = true;
  for await (const m of messages) {
    if (first) {
      first = false;
      const reach = reachOf(m);
      if (reach !== undefined) check(reach);
    }
    yield m;
  }
}

export function authInterceptor(auth: Auth): Interceptor {
  return (next) => async (req) => {
    if (!auth.enabled) return next(req);
    const scopes = scopesOf(auth, req.service.typeName, req.method.name);
    if (scopes === "open") return next(req);
    const key = auth.authenticate((name) => req.header.get(name) ?? undefined);
    auth.authorize(key, scopes);
    req.contextValues.set(API_KEY, key);
    const pool = req.header.get(POOL_HEADER) ?? undefined;
    const check = (reach: RequestReach | undefined) => reach && auth.authorizeRequest(key, scopes, reach, pool);
    if (req.stream) {
      await auth.admit(key);
      return inFlight(auth.enter(key), () => next({ ...req, message: reachChecked(req.message, check) }));
    }
    check(reachOf(req.message));
    await auth.admit(key);
    const res = await inFlight(auth.enter(key), () => next(req));
    // A key limited to some models sees only those in the catalog.
    if (!res.stream && req.method.name === "ListModels" && key) {
      const msg = res.message as { models?: { id: string }[] };
      if (Array.isArray(msg.models)) msg.models = msg.models.filter((m) => key.allowsModel(m.id));
    }
    return res;
  };
}
