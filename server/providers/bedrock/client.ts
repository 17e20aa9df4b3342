// The Amazon Bedrock provider: Converse and ConverseStream (every model family
// Bedrock serves through Converse: Anthropic, Llama, Mistral, Amazon Nova, ...),
// Titan text embeddings through InvokeModel, and the foundation-model listing,
// each request signed with SigV4 for the provider's region.
import { Code, ConnectError } from "@connectrpc/connect";
import type { Locality } from "../../../gen/ts/hoosh/v1/models_pb.js";
import type { EmbedRequest, EmbedResponse, GenerateResponse, GenerateStreamResponse } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import { HttpUpstream, type HttpProviderOptions } from "../http-upstream.js";
import type { CallContext, ChatRequest, Provider } from "../provider.js";
import type { Transport } from "../transport.js";
import type { AwsCredentials } from "./credentials.js";
import { bedrockHttpError } from "./errors.js";
import { eventFrames } from "./eventstream.js";
import { noteIgnored, unhonoured } from "../honoured.js";
import { BEDROCK_HONOURS, modelPath, toConverseRequest } from "./request.js";
import { fromConverseResponse, fromTitanEmbeddings } from "./response.js";
import { sigv4Authorizer } from "./sigv4.js";
import { converseStreamEvents } from "./stream.js";
import type { ConverseResponse, FoundationModels, TitanEmbedRequest, TitanEmbedResponse } from "./wire.js";

/** The runtime endpoint of a region (Converse, InvokeModel). */
export const bedrockBaseUrl = (region: string): string => `https://bedrock-runtime.${region}.amazonaws.com`;

/** The control plane (model listing) beside a runtime endpoint; a custom endpoint (VPC, test) serves both. */
export function controlUrl(runtime: string): string {
  const url = new URL(runtime);
  if (url.hostname.startsWith("bedrock-runtime.")) url.hostname = `bedrock.${url.hostname.slice("bedrock-runtime.".length)}`;
  return url.href.replace(/\/+$/, "");
}

export interface BedrockOptions {
  region: string;
  credentials: AwsCredentials;
}

const requestIdOf = (headers: Record<string, string | string[] | undefined>): string => {
  const v = headers["x-amzn-requestid"];
  return (Array.isArray(v) ? v[0] : v) ?? "";
};

export class BedrockProvider implements Provider {
  readonly type = "bedrock";
  readonly name: string;
  readonly locality: Locality;
  private readonly http: HttpUpstream;
  private readonly control: HttpUpstream;

  constructor(options: HttpProviderOptions, transport: Transport, bedrock: BedrockOptions) {
    this.name = options.name;
    this.locality = options.locality;
    const extras = { network: options.network, authorize: sigv4Authorizer(bedrock.region, bedrock.credentials) };
    this.http = new HttpUpstream(options.name, options.baseUrl, options.headers, options.limits, transport, bedrockHttpError, extras);
    this.control = new HttpUpstream(options.name, controlUrl(options.baseUrl), options.headers, options.limits, transport, bedrockHttpError, extras);
  }

  async generate(req: ChatRequest, call: CallContext): Promise<GenerateResponse> {
    noteIgnored(call, unhonoured(req, BEDROCK_HONOURS));
    const plan = toConverseRequest(req);
    const res = await this.http.send("POST", modelPath(req.model, "converse"), plan.body, call);
    return fromConverseResponse(await this.http.readJson<ConverseResponse>(res, call), requestIdOf(res.headers), req.model, plan.jsonTool);
  }

  async *generateStream(req: ChatRequest, call: CallContext): AsyncGenerator<GenerateStreamResponse> {
    noteIgnored(call, unhonoured(req, BEDROCK_HONOURS));
    const plan = toConverseRequest(req);
    const res = await this.http.send("POST", modelPath(req.model, "converse-stream"), plan.body, call, "application/vnd.amazon.eventstream");
    yield* this.http.relay(res, call, (body) => converseStreamEvents(this.name, requestIdOf(res.headers), req.model, eventFrames(this.name, body), plan.jsonTool));
  }

  /** Amazon Titan text embeddings (InvokeModel takes one text per call; the calls run together). */
  async embed(req: EmbedRequest, call: CallContext): Promise<EmbedResponse> {
    if (!req.model.startsWith("amazon.titan-embed")) {
      throw new ConnectError(`model: ${JSON.stringify(req.model)} is not an embedding model hoosh's bedrock adapter speaks; allowed: amazon.titan-embed-*`, Code.InvalidArgument);
    }
    const answers = await Promise.all(
      req.inputs.map(async (inputText) => {
        const body: TitanEmbedRequest = { inputText, ...(req.dimensions ? { dimensions: req.dimensions } : {}) };
        return this.http.readJson<TitanEmbedResponse>(await this.http.send("POST", modelPath(req.model, "invoke"), body, call), call);
      }),
    );
    return fromTitanEmbeddings(req.model, answers);
  }

  /** GET /foundation-models: the models of this region that answer text. */
  async listModels(call: CallContext): Promise<string[]> {
    const body = await this.control.readJson<FoundationModels>(await this.control.send("GET", "/foundation-models", undefined, call), call);
    return (body.modelSummaries ?? []).map((m) => m.modelId).filter((id): id is string => typeof id === "string");
  }

  async close(): Promise<void> {
    // The transport's pools are shared and closed by the app.
  }
}
