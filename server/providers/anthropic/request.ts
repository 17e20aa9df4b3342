// hoosh.v1 request -> Anthropic Messages API body. The conversation itself is
// messages.ts; tools and JSON mode are tools.ts; the answer is response.ts.
//
// Fields without an Anthropic counterpart (seed, presence/frequency penalty,
// message names, request metadata, logprobs, ...) are not sent: the API has no
// equivalent and rejecting them would break OpenAI-style clients that always
// send them; the client names them (honoured.ts: x-hoosh-ignored-params).
import { Code, ConnectError } from "@connectrpc/connect";
import { ReasoningEffort } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import type { OptionalField } from "../honoured.js";
import type { ChatRequest } from "../provider.js";
import { toConversation } from "./messages.js";
import { planTools } from "./tools.js";
import type * as wire from "./wire.js";

/** Anthropic requires max_tokens; this is sent when neither the request nor the config sets one. */
export const DEFAULT_MAX_TOKENS = 4096;
/** What this adapter sends upstream of the optional request fields (honoured.ts). */
export const ANTHROPIC_HONOURS: ReadonlySet<OptionalField> = new Set<OptionalField>(["sampling.top_k", "reasoning", "user", "parallel_tool_calls", "cache_breakpoint"]);

/** Anthropic's smallest thinking budget. */
const MIN_THINKING = 1024;
/** Effort levels as thinking budgets (Anthropic takes a token budget, not an effort). */
const EFFORT_BUDGET: Partial<Record<ReasoningEffort, number>> = {
  [ReasoningEffort.MINIMAL]: 1024,
  [ReasoningEffort.LOW]: 2048,
  [ReasoningEffort.MEDIUM]: 8192,
  [ReasoningEffort.HIGH]: 24576,
};

/** thinking from the reasoning options: a budget wins over an effort; "none" turns it off. */
function toThinking(req: ChatRequest, maxTokens: number, provider: string): wire.MessagesRequest["thinking"] {
  const r = req.reasoning;
  if (!r) return undefined;
  if (r.budgetTokens === undefined && r.effort === ReasoningEffort.NONE) return { type: "disabled" };
  const wanted = r.budgetTokens ?? EFFORT_BUDGET[r.effort];
  if (wanted === undefined) return undefined;
  if (r.budgetTokens !== undefined && r.budgetTokens < MIN_THINKING) {
    throw new ConnectError(`reasoning.budget_tokens: ${r.budgetTokens} is out of range for provider "${provider}" (anthropic); allowed: >= ${MIN_THINKING}`, Code.InvalidArgument);
  }
  // The budget counts within max_tokens, and must stay below it.
  const budget = Math.min(wanted, maxTokens - 1);
  if (budget < MIN_THINKING) {
    throw new ConnectError(`sampling.max_tokens: ${maxTokens} leaves no room for thinking on provider "${provider}" (anthropic); allowed: > ${MIN_THINKING}`, Code.InvalidArgument);
  }
  return { type: "enabled", budget_tokens: budget };
}

/** Anthropic's temperature range is narrower than hoosh's (0..2). */
const MAX_TEMPERATURE = 1;

export interface TranslateOptions {
  /** Provider name, for error messages. */
  provider: string;
  /** Config default for max_tokens. */
  defaultMaxTokens?: number;
}

export interface MessagesPlan {
  body: wire.MessagesRequest;
  /** The JSON-mode helper tool (tools.ts), whose input is turned back into text. */
  jsonTool?: string;
}

/** The Messages API body for a request, aimed at the upstream's own model id. */
export function toMessagesRequest(req: ChatRequest, upstreamModel: string, stream: boolean, opts: TranslateOptions): MessagesPlan {
  const s = req.sampling;
  if (s?.temperature !== undefined && s.temperature > MAX_TEMPERATURE) {
    throw new ConnectError(
      `sampling.temperature: ${s.temperature} is out of range for provider "${opts.provider}" (anthropic); allowed: 0..${MAX_TEMPERATURE}`,
      Code.InvalidArgument,
    );
  }
  const { system, messages } = toConversation(req.messages, opts.provider);
  const { jsonTool, ...tools } = planTools(req);
  const maxTokens = s?.maxTokens ?? opts.defaultMaxTokens ?? DEFAULT_MAX_TOKENS;
  const thinking = toThinking(req, maxTokens, opts.provider);
  const body: wire.MessagesRequest = {
    model: upstreamModel,
    max_tokens: maxTokens,
    messages,
    ...(system !== undefined ? { system } : {}),
    ...(s?.temperature !== undefined ? { temperature: s.temperature } : {}),
    ...(s?.topP !== undefined ? { top_p: s.topP } : {}),
    ...(s?.topK !== undefined ? { top_k: s.topK } : {}),
    ...(thinking ? { thinking } : {}),
    ...(s && s.stop.length > 0 ? { stop_sequences: s.stop } : {}),
    ...tools,
    ...(req.user ? { metadata: { user_id: req.user } } : {}),
    ...(stream ? { stream: true } : {}),
  };
  return jsonTool ? { body, jsonTool } : { body };
}
