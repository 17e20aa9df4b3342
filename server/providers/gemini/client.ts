// The Google Gemini API provider (generativelanguage v1beta): generateContent,
// streamGenerateContent (SSE), batchEmbedContents and model listing over one
// pooled transport. The API key travels in x-goog-api-key, never in the URL.
import type { Locality } from "../../../gen/ts/hoosh/v1/models_pb.js";
import type { EmbedRequest, EmbedResponse, GenerateResponse, GenerateStreamResponse } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import { contentType, HttpUpstream, type Authorizer, type HttpProviderOptions } from "../http-upstream.js";
import type { CallContext, ChatRequest, Provider } from "../provider.js";
import { readSse } from "../sse.js";
import type { Transport } from "../transport.js";
import { geminiHttpError } from "./errors.js";
import { fromBatchEmbedResponse, fromGenerateContentResponse } from "./response.js";
import { arrayChunks, geminiStreamEvents, sseChunks } from "./stream.js";
import { noteIgnored, unhonoured } from "../honoured.js";
import { GEMINI_HONOURS, modelPath, toBatchEmbedRequest, toGenerateContentRequest } from "./request.js";
import type { BatchEmbedContentsResponse, GenerateContentResponse, ModelsResponse } from "./wire.js";

/** Generation methods that make a model worth listing (chat or embeddings). */
const SERVED_METHODS = new Set(["generateContent", "streamGenerateContent", "embedContent", "batchEmbedContents"]);
/** Bounds GET /models paging should an upstream keep answering page tokens. */
const MAX_MODEL_PAGES = 20;

/** What a host of Gemini models other than the Gemini API changes (Vertex AI: paths and OAuth tokens). */
export interface GeminiHost {
  /** URL path of a model method, e.g. "/models/gemini-2.0-flash:generateContent". */
  path(model: string, method: string): string;
  authorize?: Authorizer;
  type: string;
}

export class GeminiProvider implements Provider {
  readonly type: string;
  readonly name: string;
  readonly locality: Locality;
  readonly http: HttpUpstream;

  private readonly path: GeminiHost["path"];

  constructor(options: HttpProviderOptions, transport: Transport, host?: GeminiHost) {
    this.name = options.name;
    this.locality = options.locality;
    this.type = host?.type ?? "gemini";
    this.path = host?.path ?? modelPath;
    const auth: Record<string, string> = options.apiKey ? { "x-goog-api-key": options.apiKey } : {};
    this.http = new HttpUpstream(options.name, options.baseUrl, { ...options.headers, ...auth }, options.limits, transport, geminiHttpError, {
      network: options.network,
      authorize: host?.authorize,
    });
  }

  async generate(req: ChatRequest, call: CallContext): Promise<GenerateResponse> {
    noteIgnored(call, unhonoured(req, GEMINI_HONOURS));
    const res = await this.http.send("POST", this.path(req.model, "generateContent"), toGenerateContentRequest(req), call);
    return fromGenerateContentResponse(this.name, await this.http.readJson<GenerateContentResponse>(res, call));
  }

  async *generateStream(req: ChatRequest, call: CallContext): AsyncGenerator<GenerateStreamResponse> {
    noteIgnored(call, unhonoured(req, GEMINI_HONOURS));
    const path = `${this.path(req.model, "streamGenerateContent")}?alt=sse`;
    const res = await this.http.send("POST", path, toGenerateContentRequest(req), call, "text/event-stream, application/json");
    if (!contentType(res).includes("text/event-stream")) {
      // Without SSE Google answers one JSON array of the same chunks.
      yield* geminiStreamEvents(this.name, arrayChunks(await this.http.readJson<unknown>(res, call)));
      return;
    }
    yield* this.http.relay(res, call, (body) => geminiStreamEvents(this.name, sseChunks(this.name, readSse(body))));
  }

  async embed(req: EmbedRequest, call: CallContext): Promise<EmbedResponse> {
    const res = await this.http.send("POST", modelPath(req.model, "batchEmbedContents"), toBatchEmbedRequest(req), call);
    const body = await this.http.readJson<BatchEmbedContentsResponse>(res, call);
    return fromBatchEmbedResponse(this.name, req.model, req.inputs.length, body);
  }

  /** Every page of GET /models; ids without the "models/" prefix. */
  async listModels(call: CallContext): Promise<string[]> {
    const ids: string[] = [];
    let token = "";
    for (let page = 0; page < MAX_MODEL_PAGES; page++) {
      const query = `?pageSize=1000${token ? `&pageToken=${encodeURIComponent(token)}` : ""}`;
      const body = await this.http.readJson<ModelsResponse>(await this.http.send("GET", `/models${query}`, undefined, call), call);
      for (const m of body.models ?? []) {
        if (typeof m.name !== "string" || !(m.supportedGenerationMethods ?? []).some((method) => SERVED_METHODS.has(method))) continue;
        ids.push(m.name.replace(/^models\//, ""));
      }
      token = body.nextPageToken ?? "";
      if (!token) break;
    }
    return ids;
  }

  async close(): Promise<void> {
    // The transport's pools are shared and closed by the app.
  }
}
