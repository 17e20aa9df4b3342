// One chat completion on one context sequence, through the model's own chat template
// (node-llama-cpp picks the chat wrapper from the GGUF; a model without one gets the few-shot
// conversation of base-model-wrapper.ts). Every request brings its whole
// history; the sequence keeps the previous request's KV cache, so a shared prefix (system
// prompt, earlier turns) is not evaluated again and counts as cached input.
import type { LlamaChat, LlamaContextSequence, LLamaChatGenerateResponseOptions, LlamaChatResponse } from "node-llama-cpp";
import { invalidArgument } from "../../core/errors.js";
import type { LoadedModel } from "./loaded-model.js";
import type { ChatFinish, ChatOptions, ChatResult, TokenUsage } from "./types.js";

type Response = LlamaChatResponse<NonNullable<ChatOptions["functions"]>>;
/** The options shared by the grammar and the function-calling variants. */
type Common = Pick<
  LLamaChatGenerateResponseOptions,
  "signal" | "maxTokens" | "temperature" | "topP" | "topK" | "minP" | "seed" | "repeatPenalty" | "customStopTriggers" | "onTextChunk"
>;

export async function runChat(loaded: LoadedModel, sequence: LlamaContextSequence, opts: ChatOptions): Promise<ChatResult> {
  const grammar = await loaded.grammars.get(opts.format);
  const chat = new loaded.handle.lib.LlamaChat({ contextSequence: sequence, autoDisposeSequence: false, chatWrapper: loaded.chatWrapper });
  // After "Assistant:" a base model writes " The answer": the space belongs to the format.
  const onText = loaded.baseModelFormat && opts.onText ? trimmingStart(opts.onText) : opts.onText;
  const before = sequence.tokenMeter.getState();
  // Arguments as the model wrote them, per call: streamed deltas and the final message agree.
  const args = new Map<number, { name: string; text: string }>();
  const s = opts.sampling;
  const common: Common = {
    signal: opts.signal,
    maxTokens: opts.maxTokens,
    temperature: s.temperature,
    topP: s.topP,
    topK: s.topK,
    minP: s.minP,
    ...(s.seed !== undefined && { seed: s.seed }),
    // Keeps node-llama-cpp's default repetition penalty (1.1 over the last 64 tokens).
    repeatPenalty: { presencePenalty: s.presencePenalty ?? 0, frequencyPenalty: s.frequencyPenalty ?? 0 },
    ...(opts.stop.length > 0 && { customStopTriggers: opts.stop }),
    ...(onText && { onTextChunk: onText }),
  };
  try {
    // Left alone, node-llama-cpp would silently drop the start of a prompt that does not fit
    // (context shift): refuse it instead, and stop the output where the context ends.
    const promptTokens = countPromptTokens(loaded, chat, opts);
    const room = loaded.contextSize - promptTokens;
    if (room <= 0) {
      throw invalidArgument(
        "messages",
        `the prompt has ${promptTokens} tokens and does not fit the context of local model "${loaded.name}" (${loaded.contextSize} tokens per sequence, local.context_size)`,
      );
    }
    common.maxTokens = Math.min(opts.maxTokens, room);
    let res: Response;
    if (opts.functions) {
      res = await chat.generateResponse(opts.history, {
        ...common,
        functions: opts.functions,
        onFunctionCallParamsChunk: (c) => {
          const call = args.get(c.callIndex) ?? { name: c.functionName, text: "" };
          call.text += c.paramsChunk;
          args.set(c.callIndex, call);
          opts.onToolCall?.({ index: c.callIndex, name: c.functionName, argumentsDelta: c.paramsChunk });
        },
      });
    } else {
      res = (await chat.generateResponse(opts.history, { ...common, ...(grammar && { grammar }) })) as Response;
    }
    const toolCalls = (res.functionCalls ?? []).map((call, i) => ({
      name: call.functionName,
      arguments: args.get(i)?.text.trim() || JSON.stringify(call.params ?? {}),
    }));
    const text = loaded.baseModelFormat ? res.response.trimStart() : res.response;
    return { text, toolCalls, finish: finishOf(res, toolCalls.length), usage: usageOf(sequence, before) };
  } finally {
    chat.dispose({ disposeSequence: false });
  }
}

/** The prompt as the chat template renders it (function docs included), in tokens. */
function countPromptTokens(loaded: LoadedModel, chat: LlamaChat, opts: ChatOptions): number {
  const history = opts.history.at(-1)?.type === "model" ? opts.history : [...opts.history, { type: "model" as const, response: [] }];
  const { contextText } = chat.chatWrapper.generateContextState({ chatHistory: history, availableFunctions: opts.functions });
  return contextText.tokenize(loaded.model.tokenizer).length;
}

function finishOf(res: Response, toolCalls: number): ChatFinish {
  if (toolCalls > 0) return "tool-calls";
  return res.metadata.stopReason === "maxTokens" ? "length" : "stop";
}

/**
 * Real token counts: the meter says what this request evaluated and generated; the sequence's
 * tokens after generation are the whole prompt plus the output, so the prompt is the rest, and
 * the prompt tokens it did not evaluate came from the KV cache.
 */
function usageOf(sequence: LlamaContextSequence, before: { usedInputTokens: number; usedOutputTokens: number }): TokenUsage {
  const after = sequence.tokenMeter.getState();
  const evaluated = after.usedInputTokens - before.usedInputTokens;
  const outputTokens = after.usedOutputTokens - before.usedOutputTokens;
  const inputTokens = Math.max(evaluated, sequence.contextTokens.length - outputTokens);
  return { inputTokens, cachedInputTokens: Math.max(0, inputTokens - evaluated), outputTokens };
}

/** Passes text on without the whitespace before its first visible character. */
function trimmingStart(onText: (text: string) => void): (text: string) => void {
  let started = false;
  return (chunk) => {
    if (!started) {
      chunk = chunk.trimStart();
      if (chunk === "") return;
      started = true;
    }
    onText(chunk);
  };
}
