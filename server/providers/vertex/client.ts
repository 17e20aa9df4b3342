// Google Vertex AI: Gemini models (publishers/google) through the gemini
// adapter and Claude models (publishers/anthropic, rawPredict and
// streamRawPredict) through the anthropic adapter, each pointed at this
// provider's project and location and authenticated with the service
// account's OAuth token. Embeddings are text-embedding predict calls.
import type { Locality } from "../../../gen/ts/hoosh/v1/models_pb.js";
import type { EmbedRequest, EmbedResponse, GenerateResponse, GenerateStreamResponse } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import { AnthropicProvider } from "../anthropic/client.js";
import { GeminiProvider } from "../gemini/client.js";
import { geminiHttpError } from "../gemini/errors.js";
import { HttpUpstream, type HttpProviderOptions } from "../http-upstream.js";
import type { CallContext, ChatRequest, Provider } from "../provider.js";
import type { Transport } from "../transport.js";
import { ServiceAccountToken, type ServiceAccount } from "./auth.js";
import { vertexAnthropicError } from "./errors.js";
import { publisherOf, toPredictEmbeddings, toVertexMessages, vertexPath } from "./request.js";
import { fromPredictEmbeddings } from "./response.js";
import type { PredictEmbeddingsResponse } from "./wire.js";

export interface VertexOptions {
  project: string;
  location: string;
  account: ServiceAccount;
}

export class VertexProvider implements Provider {
  readonly type = "vertex";
  readonly name: string;
  readonly locality: Locality;
  private readonly gemini: GeminiProvider;
  private readonly anthropic: AnthropicProvider;
  private readonly http: HttpUpstream;
  private readonly token: ServiceAccountToken;
  private readonly predictPath: (model: string) => string;

  constructor(options: HttpProviderOptions, transport: Transport, vertex: VertexOptions) {
    this.name = options.name;
    this.locality = options.locality;
    this.token = new ServiceAccountToken(options.name, vertex.account, transport, options.limits, options.network);
    const authorize = this.token.authorize;
    const path = (model: string, method: string) => vertexPath(vertex.project, vertex.location, model, method);
    // No API key on Vertex: the OAuth token is the credential.
    const shared = { ...options, apiKey: undefined };
    this.gemini = new GeminiProvider(shared, transport, { type: "vertex", path, authorize });
    this.anthropic = new AnthropicProvider(shared, transport, {
      type: "vertex",
      path: (model, stream) => path(model, stream ? "streamRawPredict" : "rawPredict"),
      body: toVertexMessages,
      authorize,
      mapError: vertexAnthropicError,
    });
    this.http = new HttpUpstream(options.name, options.baseUrl, options.headers, options.limits, transport, geminiHttpError, { network: options.network, authorize });
    this.predictPath = (model) => path(model, "predict");
  }

  private family(model: string): Provider {
    return publisherOf(model) === "anthropic" ? this.anthropic : this.gemini;
  }

  generate(req: ChatRequest, call: CallContext): Promise<GenerateResponse> {
    return this.family(req.model).generate(req, call);
  }

  generateStream(req: ChatRequest, call: CallContext): AsyncIterable<GenerateStreamResponse> {
    return this.family(req.model).generateStream(req, call);
  }

  async embed(req: EmbedRequest, call: CallContext): Promise<EmbedResponse> {
    const res = await this.http.send("POST", this.predictPath(req.model), toPredictEmbeddings(req), call);
    return fromPredictEmbeddings(this.name, req.model, req.inputs.length, await this.http.readJson<PredictEmbeddingsResponse>(res, call));
  }

  /**
   * Vertex has no listing of the publisher models a project may call; a probe
   * still checks the credential (a token is fetched or reused) and lists none.
   */
  async listModels(): Promise<string[]> {
    await this.token.get();
    return [];
  }

  async close(): Promise<void> {
    // The transport's pools are shared and closed by the app.
  }
}
