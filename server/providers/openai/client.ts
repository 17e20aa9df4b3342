// The OpenAI-compatible provider: chat completions, embeddings, transcription
// and model listing over one pooled transport. Groq, DeepSeek, Mistral, xAI, OpenRouter,
// vLLM, llama.cpp server, LM Studio and LocalAI speak this same protocol.
import { Code, ConnectError } from "@connectrpc/connect";
import { FormData, Response, type Dispatcher } from "undici";
import type { Locality } from "../../../gen/ts/hoosh/v1/models_pb.js";
import type { EmbedRequest, EmbedResponse, GenerateResponse, GenerateStreamResponse } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import type { TranscribeConfig, TranscribeResponse } from "../../../gen/ts/hoosh/v1/transcribe_pb.js";
import { transportError } from "../http-errors.js";
import type { CallContext, ChatRequest, Provider } from "../provider.js";
import { readSse } from "../sse.js";
import { streamEvent as ev } from "../stream-event.js";
import type { Transport, TransportLimits } from "../transport.js";
import { openaiHttpError } from "./errors.js";
import { chatStreamEvents } from "./stream.js";
import { transcribeOpenAI } from "./transcribe.js";
import { fromChatResponse, fromEmbeddingsResponse, toChatRequest, toEmbeddingsRequest } from "./translate.js";
import type { ChatResponse, EmbeddingsResponse, ModelsResponse } from "./wire.js";

export interface OpenAIProviderOptions {
  name: string;
  baseUrl: string;
  apiKey?: string;
  headers: Record<string, string>;
  limits: TransportLimits;
  /** Loopback/LAN servers count as local. */
  locality: Locality;
}

const MAX_ERROR_BODY = 64 * 1024;

export class OpenAIProvider implements Provider {
  readonly type = "openai";
  readonly name: string;
  readonly locality: Locality;
  private readonly base: string;
  private readonly staticHeaders: Record<string, string>;

  constructor(
    private readonly options: OpenAIProviderOptions,
    private readonly transport: Transport,
  ) {
    this.name = options.name;
    this.locality = options.locality;
    this.base = options.baseUrl.replace(/\/+$/, "");
    this.staticHeaders = {
      "user-agent": "hoosh/0.1",
      ...options.headers,
      ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
    };
  }

  async generate(req: ChatRequest, call: CallContext): Promise<GenerateResponse> {
    const res = await this.send("POST", "/chat/completions", toChatRequest(req, req.model, false), call);
    return fromChatResponse(await this.readJson<ChatResponse>(res, call));
  }

  async *generateStream(req: ChatRequest, call: CallContext): AsyncGenerator<GenerateStreamResponse> {
    const res = await this.send("POST", "/chat/completions", toChatRequest(req, req.model, true), call);
    const type = String(res.headers["content-type"] ?? "");
    if (!type.includes("text/event-stream")) {
      // Some servers ignore stream:true and answer JSON; accept that as one chunk.
      const whole = fromChatResponse(await this.readJson<ChatResponse>(res, call));
      yield* wholeAsStream(whole);
      return;
    }
    try {
      yield* chatStreamEvents(this.name, readSse(res.body));
    } catch (err) {
      throw transportError(this.name, err, call.signal);
    } finally {
      // Early exit (client cancel, error): drop the upstream connection now.
      if (!res.body.destroyed) res.body.destroy();
    }
  }

  async embed(req: EmbedRequest, call: CallContext): Promise<EmbedResponse> {
    const res = await this.send("POST", "/embeddings", toEmbeddingsRequest(req, req.model), call);
    return fromEmbeddingsResponse(await this.readJson<EmbeddingsResponse>(res, call));
  }

  transcribe(config: TranscribeConfig, audio: AsyncIterable<Uint8Array>, call: CallContext): Promise<TranscribeResponse> {
    return transcribeOpenAI(this, config, audio, call);
  }

  async listModels(call: CallContext): Promise<string[]> {
    const res = await this.send("GET", "/models", undefined, call);
    const body = await this.readJson<ModelsResponse>(res, call);
    return (body.data ?? []).map((m) => m.id).filter((id) => typeof id === "string");
  }

  async close(): Promise<void> {
    // The transport's pools are shared and closed by the app.
  }

  /** One upstream request with OpenAI error mapping; JSON or multipart body. Shared with transcribe.ts. */
  async send(method: "GET" | "POST", path: string, body: object | FormData | undefined, call: CallContext): Promise<Dispatcher.ResponseData> {
    const headers: Record<string, string> = { ...this.staticHeaders, ...call.forwardHeaders, "x-request-id": call.requestId, accept: "application/json, text/event-stream" };
    const payload = body instanceof FormData ? await encodeForm(body) : body ? { type: "application/json", bytes: JSON.stringify(body) } : undefined;
    if (payload) headers["content-type"] = payload.type;
    let res: Dispatcher.ResponseData;
    try {
      res = await this.transport.request(
        { url: new URL(this.base + path), method, headers, body: payload?.bytes, signal: call.signal },
        this.options.limits,
      );
    } catch (err) {
      throw transportError(this.name, err, call.signal);
    }
    if (res.statusCode >= 400) {
      const text = await readBounded(res.body, MAX_ERROR_BODY).catch(() => "");
      const retryAfter = res.headers["retry-after"];
      throw openaiHttpError(this.name, res.statusCode, text, Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
    }
    return res;
  }

  /** Shared with transcribe.ts. */
  async readJson<T>(res: Dispatcher.ResponseData, call: CallContext): Promise<T> {
    let text: string;
    try {
      text = await res.body.text();
    } catch (err) {
      throw transportError(this.name, err, call.signal);
    }
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ConnectError(`provider "${this.name}" answered with invalid JSON: ${text.slice(0, 120)}`, Code.Internal);
    }
  }
}

/** Multipart bytes and boundary from undici's own encoder (the transport takes bytes, not FormData). */
async function encodeForm(form: FormData): Promise<{ type: string; bytes: Buffer }> {
  const encoded = new Response(form);
  return { type: encoded.headers.get("content-type") ?? "multipart/form-data", bytes: Buffer.from(await encoded.arrayBuffer()) };
}

async function readBounded(body: AsyncIterable<Uint8Array>, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(Buffer.from(chunk));
    size += chunk.length;
    if (size >= max) break;
  }
  return Buffer.concat(chunks).toString("utf8").slice(0, max);
}

/** A complete answer replayed as stream events, for servers that do not stream. */
function* wholeAsStream(whole: GenerateResponse): Generator<GenerateStreamResponse> {
  yield ev({ case: "start", value: { id: whole.id, model: whole.model } });
  for (const part of whole.message?.content ?? []) {
    if (part.part.case === "text") yield ev({ case: "text", value: { text: part.part.value } });
  }
  for (const [index, call] of (whole.message?.toolCalls ?? []).entries()) {
    yield ev({ case: "toolCall", value: { index, id: call.id, name: call.name, argumentsDelta: call.arguments } });
  }
  yield ev({ case: "end", value: { finishReason: whole.finishReason, usage: whole.usage } });
}
