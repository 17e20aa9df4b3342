// The Anthropic Messages API provider: chat (whole and streamed) and model
// listing over one pooled transport. Anthropic has no embeddings API.
import { Code, ConnectError } from "@connectrpc/connect";
import type { Locality } from "../../../gen/ts/hoosh/v1/models_pb.js";
import type { EmbedResponse, GenerateResponse, GenerateStreamResponse } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import { contentType, HttpUpstream, type Authorizer, type ErrorMapper, type HttpProviderOptions } from "../http-upstream.js";
import { wholeAsStream } from "../stream-event.js";
import type { CallContext, ChatRequest, Provider } from "../provider.js";
import { readSse } from "../sse.js";
import type { Transport } from "../transport.js";
import { anthropicHttpError } from "./errors.js";
import { messagesStreamEvents } from "./stream.js";
import { noteIgnored, unhonoured } from "../honoured.js";
import { ANTHROPIC_HONOURS, toMessagesRequest, type MessagesPlan } from "./request.js";
import { fromMessagesResponse } from "./response.js";
import type { MessagesRequest, MessagesResponse, ModelsPage } from "./wire.js";

/** The API version hoosh's translation is written against. */
export const DEFAULT_API_VERSION = "2023-06-01";
/** Models are listed in pages; Anthropic allows up to 1000 per page. */
const MODELS_PAGE_SIZE = 1000;
/** Enough for any real catalogue, bounded so a looping cursor cannot hang a listing. */
const MAX_MODEL_PAGES = 5;

/**
 * What a host of Claude models other than Anthropic's API changes (Vertex AI:
 * one path per model and method, the version inside the body, OAuth tokens).
 */
export interface AnthropicHost {
  path(model: string, stream: boolean): string;
  /** The Messages body as this host takes it. */
  body(body: MessagesRequest): object;
  authorize?: Authorizer;
  mapError: ErrorMapper;
  type: string;
}

export class AnthropicProvider implements Provider {
  readonly type: string;
  readonly name: string;
  readonly locality: Locality;
  private readonly http: HttpUpstream;

  constructor(
    private readonly options: HttpProviderOptions,
    transport: Transport,
    private readonly host?: AnthropicHost,
  ) {
    this.name = options.name;
    this.locality = options.locality;
    this.type = host?.type ?? "anthropic";
    // Config headers may override the version (or add anthropic-beta); the key is always the configured one.
    const headers: Record<string, string> = {
      // A host such as Vertex takes the version inside the body instead.
      ...(host ? {} : { "anthropic-version": options.apiVersion ?? DEFAULT_API_VERSION }),
      ...options.headers,
      ...(options.apiKey ? { "x-api-key": options.apiKey } : {}),
    };
    this.http = new HttpUpstream(options.name, options.baseUrl, headers, options.limits, transport, host?.mapError ?? anthropicHttpError, {
      network: options.network,
      authorize: host?.authorize,
    });
  }

  private plan(req: ChatRequest, stream: boolean, call: CallContext): MessagesPlan {
    noteIgnored(call, unhonoured(req, ANTHROPIC_HONOURS));
    return toMessagesRequest(req, req.model, stream, { provider: this.name, defaultMaxTokens: this.options.defaultMaxTokens });
  }

  async generate(req: ChatRequest, call: CallContext): Promise<GenerateResponse> {
    const plan = this.plan(req, false, call);
    const res = await this.http.send("POST", this.host?.path(req.model, false) ?? "/messages", this.host?.body(plan.body) ?? plan.body, call);
    return fromMessagesResponse(await this.http.readJson<MessagesResponse>(res, call), plan.jsonTool);
  }

  async *generateStream(req: ChatRequest, call: CallContext): AsyncGenerator<GenerateStreamResponse> {
    const plan = this.plan(req, true, call);
    const res = await this.http.send("POST", this.host?.path(req.model, true) ?? "/messages", this.host?.body(plan.body) ?? plan.body, call, "text/event-stream, application/json");
    if (!contentType(res).includes("text/event-stream")) {
      // A proxy that answers whole despite stream:true: accept it as one chunk.
      yield* wholeAsStream(fromMessagesResponse(await this.http.readJson<MessagesResponse>(res, call), plan.jsonTool));
      return;
    }
    yield* this.http.relay(res, call, (body) => messagesStreamEvents(this.name, readSse(body), plan.jsonTool));
  }

  embed(): Promise<EmbedResponse> {
    return Promise.reject(
      new ConnectError(`provider "${this.name}" (anthropic) has no embeddings API; route embedding models to another provider`, Code.Unimplemented),
    );
  }

  /** GET /models, following has_more/last_id for a few pages. */
  async listModels(call: CallContext): Promise<string[]> {
    const ids: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < MAX_MODEL_PAGES; page++) {
      const query = `?limit=${MODELS_PAGE_SIZE}${after ? `&after_id=${encodeURIComponent(after)}` : ""}`;
      const res = await this.http.send("GET", `/models${query}`, undefined, call);
      const body = await this.http.readJson<ModelsPage>(res, call);
      for (const m of body.data ?? []) if (typeof m.id === "string") ids.push(m.id);
      if (!body.has_more || !body.last_id || body.last_id === after) break;
      after = body.last_id;
    }
    return ids;
  }

  async close(): Promise<void> {
    // The transport's pools are shared and closed by the app.
  }
}
