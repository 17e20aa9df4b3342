/**
 * A chat request must fit its model's context window (data/models.json): prompt plus
 * sampling.max_tokens. Over it, [router] context_window = "refuse" (default) answers
 * INVALID_ARGUMENT naming the field, the numbers and what is allowed; "clamp" lowers
 * max_tokens to what is left; "off" lets the upstream decide. Models with an unknown
 * window (0) pass.
 *
 * Pay only when it could matter: an upper bound (3 tokens a UTF-16 unit at most, for the
 * byte-level tokenizers these models use) that fits the window passes without tokenizing.
 * Otherwise the prompt is counted as accounting counts it (exact for OpenAI-family models,
 * characters / 4 for others).
 */
import type { ChatRequest } from "../providers/provider.js";
import { chatPromptTokens } from "./accounting/estimate.js";
import { invalidArgument } from "./errors.js";
import type { ModelMetadata } from "./model-metadata.js";

export type WindowPolicy = "refuse" | "clamp" | "off";
export type Counter = (model: string) => Promise<(text: string) => number>;

const upperBound = (text: string) => text.length * 3;

export class ContextWindow {
  constructor(
    private readonly metadata: ModelMetadata,
    private readonly counter: Counter,
    private readonly policy: WindowPolicy,
  ) {}

  /** Throws INVALID_ARGUMENT when the request cannot fit; with "clamp", lowers req.sampling.max_tokens instead. */
  async fit(req: ChatRequest): Promise<void> {
    if (this.policy === "off") return;
    const window = this.metadata.describe(req.model, "").contextWindow;
    if (window === 0) return;
    const maxTokens = req.sampling?.maxTokens ?? 0;
    if (chatPromptTokens(req, upperBound) + maxTokens <= window) return;
    const prompt = chatPromptTokens(req, await this.counter(req.model));
    if (prompt >= window) {
      throw invalidArgument("messages", `the prompt is about ${prompt} tokens; model "${req.model}" has a context window of ${window} tokens (prompt plus max_tokens)`);
    }
    if (prompt + maxTokens <= window) return;
    const left = window - prompt;
    if (this.policy === "clamp" && req.sampling) {
      req.sampling.maxTokens = left;
      return;
    }
    throw invalidArgument(
      "sampling.max_tokens",
      `${maxTokens} plus the prompt's ~${prompt} tokens exceeds model "${req.model}"'s context window of ${window} tokens; allowed: at most ${left}`,
    );
  }
}
