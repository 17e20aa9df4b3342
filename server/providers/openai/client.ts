// The OpenAI-compatible provider: chat completions, embeddings, transcription
// and model listing over one pooled transport. Groq, DeepSeek, Mistral, xAI, OpenRouter,
// vLLM, llama.cpp server, LM Studio and LocalAI speak this same protocol.
import type { Locality } from "../../../gen/ts/hoosh/v1/models_pb.js";
import type { EmbedRequest, EmbedResponse, GenerateResponse, GenerateStreamResponse } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import type { TranscribeConfig, TranscribeResponse } from "../../../gen/ts/hoosh/v1/transcribe_pb.js";
import { contentType, HttpUpstream, type Authorizer, type ErrorMapper, type HttpProviderOptions } from "../http-upstream.js";
import { wholeAsStream } from "../stream-event.js";
import type { CallContext, ChatRequest, Provider, SpeechEvent, SpeechRequest } from "../provider.js";
import { readSse } from "../sse.js";
import type { Transport } from "../transport.js";
import { openaiHttpError } from "./errors.js";
import { chatStreamEvents } from "./stream.js";
import { speakOpenAI } from "./speech.js";
import { transcribeOpenAI } from "./transcribe.js";
import { noteIgnored } from "../honoured.js";
import { DEFAULT_QUIRKS, toChatRequest, toEmbeddingsRequest, type OpenAIQuirks } from "./request.js";
import { fromChatResponse, fromEmbeddingsResponse } from "./response.js";
import type { ChatCompletion, EmbeddingList, Loose, ModelList } from "./wire.js";

/** Where each operation lives; Azure maps models to deployment paths with an api-version query. */
export interface OpenAIRoutes {
  path(operation: "chat/completions" | "embeddings" | "audio/transcriptions" | "audio/speech", model: string): string;
  /** Model ids without asking the upstream's GET /models (Azure: the configured deployments). */
  listModels?(http: HttpUpstream, call: CallContext): Promise<string[]>;
}

const DEFAULT_ROUTES: OpenAIRoutes = { path: (operation) => `/${operation}` };

/** OpenAI-compatible servers take the common HTTP provider options, plus their quirks. */
export interface OpenAIProviderOptions extends HttpProviderOptions {
  quirks?: Partial<OpenAIQuirks>;
  routes?: OpenAIRoutes;
  /** The header carrying api_key (Azure: "api-key"); default Authorization: Bearer. */
  apiKeyHeader?: string;
  /** Per-request credentials instead of api_key (Azure: a Microsoft Entra token). */
  authorize?: Authorizer;
  /** The vendor's error mapping (Azure adds its content-filter errors). */
  mapError?: ErrorMapper;
  /** The provider type reported (a configuration such as "azure"); default "openai". */
  type?: string;
}

export class OpenAIProvider implements Provider {
  readonly type: string;
  readonly name: string;
  readonly locality: Locality;
  /** Shared with transcribe.ts. */
  readonly http: HttpUpstream;
  private readonly quirks: OpenAIQuirks;
  private readonly routes: OpenAIRoutes;

  constructor(options: OpenAIProviderOptions, transport: Transport) {
    this.name = options.name;
    this.locality = options.locality;
    this.quirks = {
      maxTokensField: options.quirks?.maxTokensField ?? DEFAULT_QUIRKS.maxTokensField,
      streamUsage: options.quirks?.streamUsage ?? DEFAULT_QUIRKS.streamUsage,
      topK: options.quirks?.topK ?? DEFAULT_QUIRKS.topK,
    };
    this.type = options.type ?? "openai";
    this.routes = options.routes ?? DEFAULT_ROUTES;
    const auth: Record<string, string> = !options.apiKey ? {} : options.apiKeyHeader ? { [options.apiKeyHeader]: options.apiKey } : { authorization: `Bearer ${options.apiKey}` };
    this.http = new HttpUpstream(options.name, options.baseUrl, { ...options.headers, ...auth }, options.limits, transport, options.mapError ?? openaiHttpError, {
      network: options.network,
      authorize: options.authorize,
    });
  }

  async generate(req: ChatRequest, call: CallContext): Promise<GenerateResponse> {
    const plan = toChatRequest(req, req.model, false, this.quirks);
    noteIgnored(call, plan.ignored);
    const res = await this.http.send("POST", this.routes.path("chat/completions", req.model), plan.body, call);
    return fromChatResponse(await this.http.readJson<Loose<ChatCompletion>>(res, call));
  }

  async *generateStream(req: ChatRequest, call: CallContext): AsyncGenerator<GenerateStreamResponse> {
    const plan = toChatRequest(req, req.model, true, this.quirks);
    noteIgnored(call, plan.ignored);
    const res = await this.http.send("POST", this.routes.path("chat/completions", req.model), plan.body, call, "text/event-stream, application/json");
    if (!contentType(res).includes("text/event-stream")) {
      // Some servers ignore stream:true and answer JSON; accept that as one chunk.
      yield* wholeAsStream(fromChatResponse(await this.http.readJson<Loose<ChatCompletion>>(res, call)));
      return;
    }
    yield* this.http.relay(res, call, (body) => chatStreamEvents(this.name, readSse(body)));
  }

  async embed(req: EmbedRequest, call: CallContext): Promise<EmbedResponse> {
    const res = await this.http.send("POST", this.routes.path("embeddings", req.model), toEmbeddingsRequest(req, req.model), call);
    return fromEmbeddingsResponse(await this.http.readJson<Loose<EmbeddingList>>(res, call));
  }

  transcribe(config: TranscribeConfig, audio: AsyncIterable<Uint8Array>, call: CallContext): Promise<TranscribeResponse> {
    return transcribeOpenAI(this.http, config, audio, call, this.routes.path("audio/transcriptions", config.model));
  }

  synthesize(req: SpeechRequest, call: CallContext): AsyncIterable<SpeechEvent> {
    return speakOpenAI(this.http, req, call, this.routes.path("audio/speech", req.model));
  }

  async listModels(call: CallContext): Promise<string[]> {
    if (this.routes.listModels) return this.routes.listModels(this.http, call);
    const res = await this.http.send("GET", "/models", undefined, call);
    const body = await this.http.readJson<Loose<ModelList>>(res, call);
    return (body.data ?? []).map((m) => m?.id).filter((id): id is string => typeof id === "string");
  }

  async close(): Promise<void> {
    // The transport's pools are shared and closed by the app.
  }
}
