// The Ollama provider: Ollama's native REST API (/api/chat, /api/embed,
// /api/tags) over one pooled transport. base_url is the server root, e.g.
// "http://127.0.0.1:11434"; an api_key is sent as a bearer token for servers
// behind an authenticating proxy.
import type { Locality } from "../../../gen/ts/hoosh/v1/models_pb.js";
import type { EmbedRequest, EmbedResponse, GenerateResponse, GenerateStreamResponse } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import { HttpUpstream, type HttpProviderOptions } from "../http-upstream.js";
import { readNdjson } from "../ndjson.js";
import type { CallContext, ChatRequest, Provider } from "../provider.js";
import type { Transport } from "../transport.js";
import { ollamaHttpError } from "./errors.js";
import { chatStreamEvents } from "./stream.js";
import { noteIgnored, unhonoured } from "../honoured.js";
import { OLLAMA_HONOURS, toChatRequest, toEmbedRequest } from "./request.js";
import { fromChatResponse, fromEmbedResponse } from "./response.js";
import type { ChatResponse, EmbedResponse as WireEmbedResponse, TagsResponse } from "./wire.js";

export class OllamaProvider implements Provider {
  readonly type = "ollama";
  readonly name: string;
  readonly locality: Locality;
  private readonly http: HttpUpstream;

  constructor(options: HttpProviderOptions, transport: Transport) {
    this.name = options.name;
    this.locality = options.locality;
    const auth: Record<string, string> = options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {};
    this.http = new HttpUpstream(options.name, options.baseUrl, { ...options.headers, ...auth }, options.limits, transport, ollamaHttpError, { network: options.network });
  }

  async generate(req: ChatRequest, call: CallContext): Promise<GenerateResponse> {
    noteIgnored(call, unhonoured(req, OLLAMA_HONOURS));
    const res = await this.http.send("POST", "/api/chat", toChatRequest(req, req.model, false), call);
    return fromChatResponse(await this.http.readJson<ChatResponse>(res, call));
  }

  async *generateStream(req: ChatRequest, call: CallContext): AsyncGenerator<GenerateStreamResponse> {
    noteIgnored(call, unhonoured(req, OLLAMA_HONOURS));
    // Translate first: a request Ollama cannot take fails before any upstream call.
    const body = toChatRequest(req, req.model, true);
    const res = await this.http.send("POST", "/api/chat", body, call, "application/x-ndjson, application/json");
    // A server that answers whole (application/json) sends one done:true object: the same parser reads it.
    yield* this.http.relay(res, call, (bytes) => chatStreamEvents(this.name, readNdjson<ChatResponse>(bytes, this.name)));
  }

  async embed(req: EmbedRequest, call: CallContext): Promise<EmbedResponse> {
    const res = await this.http.send("POST", "/api/embed", toEmbedRequest(req, req.model), call);
    return fromEmbedResponse(this.name, await this.http.readJson<WireEmbedResponse>(res, call), req.inputs.length);
  }

  async listModels(call: CallContext): Promise<string[]> {
    const res = await this.http.send("GET", "/api/tags", undefined, call);
    const body = await this.http.readJson<TagsResponse>(res, call);
    return (body.models ?? []).map((m) => m.name || m.model).filter((id): id is string => typeof id === "string" && id !== "");
  }

  async close(): Promise<void> {
    // The transport's pools are shared and closed by the app.
  }
}
