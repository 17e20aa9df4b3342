// What the in-process speech providers share: they answer only Transcribe /
// TranscribeStream (or Synthesize), so chat and embeddings are UNIMPLEMENTED, and
// speech-to-text ones check the language hint against what their model speaks.
import { Code, ConnectError } from "@connectrpc/connect";
import { Locality } from "../../../gen/ts/hoosh/v1/models_pb.js";
import type { EmbedResponse, GenerateResponse, GenerateStreamResponse } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import { invalidArgument, showValue } from "../../core/errors.js";
import type { Provider } from "../provider.js";

export abstract class SpeechProvider implements Pick<Provider, "name" | "type" | "locality" | "generate" | "generateStream" | "embed" | "listModels"> {
  readonly locality = Locality.LOCAL;
  abstract readonly type: string;
  /** What the provider does, for the UNIMPLEMENTED message. */
  protected readonly skill: string = "transcribes speech";

  constructor(
    readonly name: string,
    /** Model ids routed here (listModels reports them). */
    protected readonly models: readonly string[],
  ) {}

  private unsupported(what: string): ConnectError {
    return new ConnectError(`provider "${this.name}" (type ${this.type}) only ${this.skill}; it cannot ${what}`, Code.Unimplemented);
  }

  generate(): Promise<GenerateResponse> {
    return Promise.reject(this.unsupported("generate text"));
  }

  // eslint-disable-next-line require-yield
  async *generateStream(): AsyncIterable<GenerateStreamResponse> {
    throw this.unsupported("generate text");
  }

  embed(): Promise<EmbedResponse> {
    return Promise.reject(this.unsupported("embed"));
  }

  listModels(): Promise<string[]> {
    return Promise.resolve([...this.models]);
  }
}

/** Accepts "" (the model's language), the language itself or a regional variant of it ("en-US"). */
export function checkLanguage(language: string, supported: readonly string[], provider: string): string {
  if (language === "") return supported[0]!;
  const base = language.split("-")[0]!.toLowerCase();
  if (supported.includes(base)) return base;
  const allowed = supported.map((l) => `"${l}"`).join(", ");
  throw invalidArgument("config.language", `${showValue(language)} is not supported by provider "${provider}"; supported: ${allowed} (or leave it empty)`);
}
