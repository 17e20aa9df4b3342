// Access control for the OpenAI and Anthropic REST edges, which call the core
// directly (the /hoosh/v1 transcoder goes through the RPC interceptor instead):
// - restGate, first in the chain: authenticates /v1/* requests, checks the
//   path's scope and the key's rpm/tpm, answering 401/403/429 in the edge's own
//   error shape before any body is read; the key is then found by restKey(req).
// - guardCore: the core as the REST edges see it, checking everything each call
//   reaches (models through aliases, its budget pool) against its key
//   (CallContext.key) before the work starts.
import type { ChatRequest, CallContext } from "../providers/provider.js";
import type { EmbedRequest } from "../../gen/ts/hoosh/v1/inference_pb.js";
import type { HttpRequest, RestDeps, RestHandler } from "../rest/handler.js";
import { discardBody, writeText } from "../rest/http-io.js";
import { toOpenAIError } from "../rest/openai/errors.js";
import { writeError as writeAnthropicError } from "../rest/anthropic/errors.js";
import { idHeaders } from "../rest/anthropic/call.js";
import { headerGetter, identity, type Auth, type RequestReach, type Scope } from "./authorize.js";
import { reachChecked } from "./interceptor.js";
import type { ApiKey, KeyIdentity } from "./keys.js";

const keys = new WeakMap<HttpRequest, ApiKey>();

/** The key restGate authenticated for this request (undefined when auth is off). */
export function restKey(req: HttpRequest): KeyIdentity | undefined {
  const key = keys.get(req);
  return key && identity(key);
}

function pathOf(req: HttpRequest): string {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  return q < 0 ? url : url.slice(0, q);
}

/** The scopes a REST path needs ("admin" passes all). */
export function restScopes(path: string): readonly Scope[] {
  if (path.startsWith("/v1/audio/")) return ["transcribe"];
  if (path === "/v1/models" || path.startsWith("/v1/models/")) return ["inference", "transcribe", "budgets:read"];
  return ["inference"];
}

export function restGate(auth: Auth): RestHandler {
  return async (req, res) => {
    if (!auth.enabled) return false;
    const path = pathOf(req);
    if (path !== "/v1" && !path.startsWith("/v1/")) return false;
    try {
      const key = await auth.check(headerGetter(req.headers), restScopes(path));
      if (key) keys.set(req, key);
      return false;
    } catch (err) {
      discardBody(req);
      if (path === "/v1/messages" || path.startsWith("/v1/messages/")) {
        writeAnthropicError(res, err, idHeaders(req));
      } else {
        const mapped = toOpenAIError(err);
        const headers: Record<string, string> = { ...mapped.headers };
        if (mapped.status === 401) headers["www-authenticate"] = 'Bearer realm="hoosh"';
        writeText(res, mapped.status, JSON.stringify(mapped.body), "application/json", headers);
      }
      return true;
    }
  };
}

/** The REST edges' core: every call checks what it reaches against CallContext.key first. */
export function guardCore(deps: RestDeps, auth: Auth): RestDeps {
  if (!auth.enabled) return deps;
  const check = (call: CallContext, scope: Scope, req: RequestReach) => {
    const key = call.key && auth.ring.byId(call.key.id);
    auth.authorizeRequest(key, scope, req, call.budgetPool);
  };
  const inference = deps.inference;
  const transcription = deps.transcription;
  const guardedInference = Object.assign(Object.create(inference) as typeof inference, {
    generate(req: ChatRequest, call: CallContext) {
      check(call, "inference", req);
      return inference.generate(req, call);
    },
    async *generateStream(req: ChatRequest, call: CallContext) {
      check(call, "inference", req);
      yield* inference.generateStream(req, call);
    },
    embed(req: EmbedRequest, call: CallContext) {
      check(call, "inference", req);
      return inference.embed(req, call);
    },
  });
  const guardedTranscription = Object.assign(Object.create(transcription) as typeof transcription, {
    transcribe(requests: Parameters<typeof transcription.transcribe>[0], call: CallContext) {
      return transcription.transcribe(reachChecked(requests, (reach) => check(call, "transcribe", reach)), call);
    },
  });
  const speech = deps.speech;
  const guardedSpeech = speech
    ? Object.assign(Object.create(speech) as typeof speech, {
        async *synthesize(req: Parameters<typeof speech.synthesize>[0], call: CallContext) {
          check(call, "transcribe", req);
          yield* speech.synthesize(req, call);
        },
      })
    : undefined;
  return { ...deps, inference: guardedInference, transcription: guardedTranscription, speech: guardedSpeech };
}
