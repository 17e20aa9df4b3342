// The semantic cache between an exact-cache miss and the upstream call (semantic.ts says what
// matches). The question is embedded through the pipeline (routed and charged like any
// embedding request); a close enough stored question gives its answer, marked cache_hit (a
// stream gets it replayed as events); otherwise the upstream's answer is stored under the
// question. An embedding that fails only means no semantic answer: it is reported (logged)
// and the call goes upstream.
import { create } from "@bufbuild/protobuf";
import { ConnectError } from "@connectrpc/connect";
import {
  EmbedRequestSchema,
  GenerateResponseSchema,
  type EmbedRequest,
  type EmbedResponse,
  type GenerateResponse,
  type GenerateStreamResponse,
} from "../../../gen/ts/hoosh/v1/inference_pb.js";
import type { CallContext, ChatRequest } from "../../providers/provider.js";
import { wholeAsStream } from "../../providers/stream-event.js";
import type { CachePlan } from "./policy.js";
import { semanticQuestion, type SemanticCache, type SemanticQuestion } from "./semantic.js";

/** The semantic cache and the embedding model its questions go to ([cache] semantic_model). */
export interface SemanticLookup {
  cache: SemanticCache;
  model: string;
  onError(err: ConnectError): void;
}

type Embed = (req: EmbedRequest, call: CallContext) => Promise<EmbedResponse>;

export class SemanticStep {
  constructor(
    private readonly lookup: SemanticLookup,
    private readonly embed: Embed,
  ) {}

  async unary(req: ChatRequest, call: CallContext, plan: CachePlan, upstream: () => Promise<GenerateResponse>): Promise<GenerateResponse> {
    const asked = await this.ask(req, call, plan);
    if (asked?.hit) return asked.hit;
    const res = await upstream();
    if (asked?.vector && plan.store) this.lookup.cache.store(asked.question.bucket, asked.vector, res, plan.ttlMs);
    return res;
  }

  async *stream(req: ChatRequest, call: CallContext, plan: CachePlan, upstream: () => AsyncIterable<GenerateStreamResponse>): AsyncGenerator<GenerateStreamResponse> {
    const asked = await this.ask(req, call, plan);
    if (asked?.hit) {
      if (call.stats) call.stats.cacheHit = true;
      yield* wholeAsStream(asked.hit);
      return;
    }
    let start: GenerateStreamResponse | undefined;
    for await (const ev of upstream()) {
      if (ev.event.case === "start") start = ev;
      if (ev.event.case === "end" && asked?.vector && plan.store) {
        const end = ev.event.value;
        const head = start?.event.case === "start" ? start.event.value : undefined;
        const whole = create(GenerateResponseSchema, { id: head?.id, model: head?.model, message: end.message, finishReason: end.finishReason, usage: end.usage });
        this.lookup.cache.store(asked.question.bucket, asked.vector, whole, plan.ttlMs);
      }
      yield ev;
    }
  }

  /** The question, its vector (undefined when embedding failed) and a stored answer if one is close enough. */
  private async ask(req: ChatRequest, call: CallContext, plan: CachePlan): Promise<{ question: SemanticQuestion; vector?: number[]; hit?: GenerateResponse } | undefined> {
    const question = plan.lookup ? semanticQuestion(req, plan.context) : undefined;
    if (!question) return undefined;
    try {
      const embedReq = create(EmbedRequestSchema, { model: this.lookup.model, inputs: [question.text], budgetPool: req.budgetPool, metadata: req.metadata, user: req.user });
      const vector = (await this.embed(embedReq, call)).embeddings[0]?.values;
      if (!vector) return { question };
      return { question, vector, hit: this.lookup.cache.lookup(question.bucket, vector) };
    } catch (err) {
      this.lookup.onError(ConnectError.from(err));
      return { question };
    }
  }
}
