// The Provider for type "local": a GGUF model served in-process by the llama.cpp engine
// (server/engines/llm). Same files as its HTTP siblings; no wire, no transport.
import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { Locality } from "../../../gen/ts/hoosh/v1/models_pb.js";
import { EmbedResponseSchema, type EmbedRequest, type EmbedResponse, type GenerateResponse, type GenerateStreamResponse } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import { invalidArgument } from "../../core/errors.js";
import type { LocalLlm } from "../../engines/llm/local-llm.js";
import type { LlamaRuntime } from "../../engines/llm/runtime.js";
import type { CallContext, ChatRequest, Provider } from "../provider.js";
import { localError } from "./errors.js";
import { chatStream } from "./stream.js";
import { toEngineRequest } from "./request.js";
import { fromChatResult } from "./response.js";

const GLOB_CHARS = /[*?[\]{}!()]/;

export interface LocalProviderOptions {
  name: string;
  /** The provider's `models` entries: the ids callers use for this one model file. */
  models: readonly string[];
  engine: LocalLlm;
  /** Output limit when a request sets none (config default_max_tokens, else the context size). */
  defaultMaxTokens: number;
  /** Sampling temperature when a request sets none (config local.temperature). */
  defaultTemperature: number;
  /** Closed with the provider when the provider owns it (none when an app shares one). */
  ownedRuntime?: LlamaRuntime | undefined;
}

export class LocalProvider implements Provider {
  readonly type = "local";
  readonly locality = Locality.LOCAL;
  readonly name: string;
  /** The engine (load state, config): for tests and diagnostics. */
  readonly engine: LocalLlm;

  constructor(private readonly options: LocalProviderOptions) {
    this.name = options.name;
    this.engine = options.engine;
    if (this.engine.config.load === "startup") void this.engine.warm();
  }

  pendingLoad(): Promise<void> | undefined {
    return this.engine.pendingLoad;
  }

  contextWindow(): number {
    return this.engine.config.contextSize;
  }

  async generate(req: ChatRequest, call: CallContext): Promise<GenerateResponse> {
    const request = toEngineRequest(req, req.model, this.defaultMaxTokens(), this.options.defaultTemperature);
    try {
      const result = await this.engine.chat({ ...request, signal: call.signal });
      return fromChatResult(result, responseId(), req.model);
    } catch (err) {
      throw this.error(err, call.signal);
    }
  }

  async *generateStream(req: ChatRequest, call: CallContext): AsyncGenerator<GenerateStreamResponse> {
    const request = toEngineRequest(req, req.model, this.defaultMaxTokens(), this.options.defaultTemperature);
    yield* chatStream(
      (sink, signal) => this.engine.chat({ ...request, signal, onText: sink.onText, onToolCall: sink.onToolCall }),
      { id: responseId(), model: req.model },
      call.signal,
      (err) => this.error(err, call.signal),
    );
  }

  async embed(req: EmbedRequest, call: CallContext): Promise<EmbedResponse> {
    try {
      const { vectors, inputTokens } = await this.engine.embed(req.inputs, call.signal);
      const size = vectors[0]?.length ?? 0;
      if (req.dimensions !== undefined && req.dimensions !== size) {
        throw invalidArgument("dimensions", `${req.dimensions} is not available: local model "${req.model}" gives ${size} dimensions; leave it unset or ask for ${size}`);
      }
      return create(EmbedResponseSchema, {
        model: req.model,
        embeddings: vectors.map((values, index) => ({ index, values })),
        usage: { inputTokens },
      });
    } catch (err) {
      throw this.error(err, call.signal);
    }
  }

  /** The configured model ids (patterns left out): this provider serves exactly one file. */
  async listModels(): Promise<string[]> {
    return this.options.models.filter((m) => !GLOB_CHARS.test(m));
  }

  async close(): Promise<void> {
    await this.engine.close();
    await this.options.ownedRuntime?.dispose();
  }

  private defaultMaxTokens(): number {
    return Math.min(this.options.defaultMaxTokens, this.engine.config.contextSize);
  }

  private error(err: unknown, signal: AbortSignal) {
    return localError(err, this.engine.config.name, this.engine.config.contextSize, signal);
  }
}

function responseId(): string {
  return `local-${randomUUID()}`;
}
