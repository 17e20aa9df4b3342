// The seam between the core and every wire protocol. Providers speak hoosh.v1
// messages on this side and their vendor's format on the other (translated
// once, inside providers/<vendor>/).
import type { Locality } from "../../gen/ts/hoosh/v1/models_pb.js";
import type { TranscribeConfig, TranscribeResponse, TranscribeStreamResponse } from "../../gen/ts/hoosh/v1/transcribe_pb.js";
import type { SynthesizeRequest, SynthesizeResponse } from "../../gen/ts/hoosh/v1/speech_pb.js";
import type {
  EmbedRequest,
  EmbedResponse,
  GenerateRequest,
  GenerateResponse,
  GenerateStreamResponse,
} from "../../gen/ts/hoosh/v1/inference_pb.js";

/** One TranscribeStream event: a partial hypothesis, or the final transcript (always last). */
export type TranscriptEvent = Exclude<TranscribeStreamResponse["event"], { case: undefined }>;

/** One Synthesize event: start (always first), audio chunks, end (always last). */
export type SpeechEvent = Exclude<SynthesizeResponse["event"], { case: undefined }>;

/** A text-to-speech request as the core hands it to a provider (validated; speed filled in). */
export type SpeechRequest = Omit<SynthesizeRequest, "$typeName" | "$unknown" | "speed"> & { speed: number };

/** Generate and GenerateStream carry the same fields; the core handles both as this. */
export type ChatRequest = Omit<GenerateRequest, "$typeName" | "$unknown">;

/** What a provider needs from the caller for one upstream call. */
export interface CallContext {
  /** Aborts on client cancel, disconnect or deadline; passed down to the socket. */
  signal: AbortSignal;
  /** Correlates logs and upstream requests. */
  requestId: string;
  /** Headers to forward upstream (e.g. traceparent). */
  forwardHeaders?: Record<string, string>;
  /**
   * The authenticated API key (absent when auth is off); its id, never the key,
   * and what it may reach (auth/keys.ts; a predicate left out allows everything).
   */
  key?: {
    id: string;
    defaultPool?: string;
    /** The key's team (teams share a budget, limits and, with [cache] scope = "team", cached answers). */
    team?: string;
    /** Budgets charged besides the request's pool, all or none: the key's own and its team's. */
    budgets?: readonly LinkedBudget[];
    allowsModel?(model: string): boolean;
    allowsPool?(pool: string): boolean;
  };
  /** The x-hoosh-budget-pool header (gRPC metadata or HTTP), when the caller sent one; see core/accounting/pool.ts. */
  budgetPool?: string;
  /** Where the call came in, for the request log: grpc | grpc-web | connect | rest (the native JSON transcoding). */
  edge?: string;
  /** Filled by the core as the call runs, for edges that report it (x-hoosh-* headers, logs). */
  stats?: CallStats;
}

/** A budget pool an API key's requests are also charged to (core/accounting: a linked reservation). */
export interface LinkedBudget {
  readonly pool: string;
  /** The limits of a pool hoosh manages for the key or team ("key:<id>", "team:<name>"): made on first use when missing. */
  readonly limits?: { readonly capacityTokens?: number | undefined; readonly capacityUsdMicros?: number | undefined; readonly period: "none" | "hourly" | "daily" | "monthly" } | undefined;
}

export interface CallStats {
  /** The provider that answered (or last failed). */
  provider: string;
  /** Providers tried. */
  attempts: number;
  /** Time spent waiting on upstreams; the rest of the request's time is hoosh's own. */
  upstreamMs: number;
  /** The answer came from the response cache (or an identical request in flight). */
  cacheHit?: boolean;
  /**
   * Request fields (hoosh.v1 paths, e.g. "sampling.top_k") the provider serving the call could not
   * honour (providers/honoured.ts); reset for each attempt, so it names the answering provider's.
   */
  ignored?: string[];
}

export interface Provider {
  readonly name: string;
  /** Wire protocol, e.g. "openai". */
  readonly type: string;
  readonly locality: Locality;
  /**
   * The load of the provider's model while one is in progress (an in-process engine loading at
   * startup), else undefined: requests wait for it, and health reports it until it ends.
   */
  pendingLoad?(): Promise<void> | undefined;
  /** The context window its configuration fixes (an in-process engine's context size), which the model table cannot know. */
  contextWindow?(): number;
  /** One complete answer. The usage it returns has no cost or provider filled in. */
  generate(req: ChatRequest, call: CallContext): Promise<GenerateResponse>;
  /**
   * Events in order: one start, deltas, one end (finish reason + usage; its
   * message is assembled by the core). Breaking out of the loop aborts upstream.
   */
  generateStream(req: ChatRequest, call: CallContext): AsyncIterable<GenerateStreamResponse>;
  embed(req: EmbedRequest, call: CallContext): Promise<EmbedResponse>;
  /**
   * Speech to text, for providers that can. The audio arrives as the caller
   * sends it; the provider may buffer it (whole-file APIs) or stream it.
   */
  transcribe?(config: TranscribeConfig, audio: AsyncIterable<Uint8Array>, call: CallContext): Promise<TranscribeResponse>;
  /**
   * Incremental speech to text, for engines that decode audio as it arrives:
   * partial hypotheses while `audio` is still streaming, then exactly one final.
   * Errors thrown by `audio` (validation, cancellation) must propagate.
   */
  transcribeStream?(config: TranscribeConfig, audio: AsyncIterable<Uint8Array>, call: CallContext): AsyncIterable<TranscriptEvent>;
  /**
   * Text to speech, for providers that can: one start event, the audio as it is produced,
   * one end event. Voice and format problems are INVALID_ARGUMENT naming `voice` / `format`,
   * thrown before the first event. Breaking out of the loop stops the engine or upstream.
   */
  synthesize?(req: SpeechRequest, call: CallContext): AsyncIterable<SpeechEvent>;
  /** Model ids the upstream says it serves (may be empty when it cannot tell). */
  listModels(call: CallContext): Promise<string[]>;
  close(): Promise<void>;
}
