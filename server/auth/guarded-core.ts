// The core as the REST edges see it when auth is on: a decorator over Inference (like
// observability/instrumented-inference.ts), Transcription and Speech that checks everything a call
// reaches (its model and the models behind aliases and fallbacks, its budget pool) against the
// call's key (CallContext.key) before any work starts. The RPC edges check the same in the
// interceptor (auth/interceptor.ts).
import type { EmbedRequest } from "../../gen/ts/hoosh/v1/inference_pb.js";
import type { Inference } from "../core/inference.js";
import type { Speech } from "../core/speech.js";
import type { Transcription } from "../core/transcribe.js";
import type { CallContext, ChatRequest } from "../providers/provider.js";
import type { RestDeps } from "../rest/handler.js";
import type { Auth, RequestReach, Scope } from "./authorize.js";
import { reachChecked } from "./interceptor.js";

type InferenceApi = RestDeps["inference"];
type TranscriptionApi = RestDeps["transcription"];

class Guard {
  constructor(private readonly auth: Auth) {}

  check(call: CallContext, scope: Scope, req: RequestReach): void {
    const key = call.key && this.auth.ring.byId(call.key.id);
    this.auth.authorizeRequest(key, scope, req, call.budgetPool);
  }
}

export class GuardedInference implements InferenceApi {
  constructor(
    private readonly inner: InferenceApi,
    private readonly guard: Guard,
  ) {}

  generate(req: ChatRequest, call: CallContext): ReturnType<Inference["generate"]> {
    this.guard.check(call, "inference", req);
    return this.inner.generate(req, call);
  }

  async *generateStream(req: ChatRequest, call: CallContext): ReturnType<Inference["generateStream"]> {
    this.guard.check(call, "inference", req);
    yield* this.inner.generateStream(req, call);
  }

  embed(req: EmbedRequest, call: CallContext): ReturnType<Inference["embed"]> {
    this.guard.check(call, "inference", req);
    return this.inner.embed(req, call);
  }

}

export class GuardedTranscription implements TranscriptionApi {
  constructor(
    private readonly inner: TranscriptionApi,
    private readonly guard: Guard,
  ) {}

  transcribe(requests: Parameters<Transcription["transcribe"]>[0], call: CallContext): ReturnType<Transcription["transcribe"]> {
    return this.inner.transcribe(reachChecked(requests, (reach) => this.guard.check(call, "transcribe", reach)), call);
  }
}

/** Text to speech needs the "transcribe" scope, like everything under /v1/audio/. */
export class GuardedSpeech implements Pick<Speech, "synthesize"> {
  constructor(
    private readonly inner: Pick<Speech, "synthesize">,
    private readonly guard: Guard,
  ) {}

  async *synthesize(req: Parameters<Speech["synthesize"]>[0], call: CallContext): ReturnType<Speech["synthesize"]> {
    this.guard.check(call, "transcribe", req);
    yield* this.inner.synthesize(req, call);
  }
}

/** The REST edges' dependencies with the core guarded (a call without a key passes: auth is off, or turned on by a key made after it began). */
export function guardedDeps(deps: RestDeps, auth: Auth): RestDeps {
  const guard = new Guard(auth);
  return {
    ...deps,
    inference: new GuardedInference(deps.inference, guard),
    transcription: new GuardedTranscription(deps.transcription, guard),
    speech: deps.speech && new GuardedSpeech(deps.speech, guard),
  };
}
