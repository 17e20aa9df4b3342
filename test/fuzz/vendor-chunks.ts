// Arbitraries for vendor stream chunks: the vendor's shape, with every field sometimes of the wrong
// type, null, absent, huge, negative or fractional.
import fc from "fast-check";

/** A value of a type the field does not expect. */
export const weird: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.constantFrom(-1, -0, 0.5, 2 ** 31, 2 ** 32, 2 ** 53, Number.MAX_SAFE_INTEGER, 1e308, -1e308),
  fc.string({ maxLength: 8 }),
  fc.constant([]),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
);

/** Usually `arb`; sometimes something of another type. `wrongRate` is the weight of the wrong type (vs 4). */
export const field = <T>(arb: fc.Arbitrary<T>, wrongRate = 1): fc.Arbitrary<unknown> =>
  wrongRate === 0 ? arb : fc.oneof({ arbitrary: arb, weight: 4 }, { arbitrary: weird, weight: wrongRate });

const text = fc.string({ unit: "grapheme", maxLength: 12 });
/**
 * How hostile the upstream is. `wrong`: weight of a wrong-typed value per field (0 = well typed).
 * `sane`: numbers are what the vendor documents (uint32 counts, small indexes) and objects the code
 * dereferences are present; otherwise counts/indexes may be negative, fractional or huge.
 */
export interface Hostility {
  wrong: number;
  sane: boolean;
}

const saneCount = fc.nat(1_000_000_000);
const wildCount = fc.oneof(fc.nat(5000), fc.constantFrom(-1, 0.5, 2 ** 32, Number.MAX_SAFE_INTEGER, 1e308));
const saneIndex = fc.nat(3);
const wildIndex = fc.oneof({ arbitrary: fc.nat(3), weight: 6 }, { arbitrary: fc.constantFrom(-1, 2 ** 31, 2 ** 32, 2 ** 53, 0.5, 1e308), weight: 1 });

/** Shape generators parameterised by how often a field has the wrong type (0 = well typed). */
export function openaiChunk({ wrong: w, sane }: Hostility): fc.Arbitrary<unknown> {
  const count = sane ? saneCount : wildCount;
  const index = sane ? saneIndex : wildIndex;
  const toolCall = fc.record(
    {
      index: field(index, w),
      id: field(text, w),
      type: field(fc.constant("function"), w),
      function: field(fc.record({ name: field(text, w), arguments: field(text, w) }, { requiredKeys: [] }), w),
    },
    { requiredKeys: [] },
  );
  const delta = fc.record(
    {
      role: field(fc.constant("assistant"), w),
      content: field(fc.option(text), w),
      reasoning_content: field(fc.option(text), w),
      tool_calls: field(fc.array(field(toolCall, w), { maxLength: 3 }), w),
    },
    { requiredKeys: [] },
  );
  const choice = fc.record(
    {
      index: field(index, w),
      delta: field(delta, w),
      finish_reason: field(fc.option(fc.constantFrom("stop", "length", "tool_calls", "content_filter", "function_call", "weird")), w),
    },
    { requiredKeys: [] },
  );
  const usage = fc.record(
    {
      prompt_tokens: field(count, w),
      completion_tokens: field(count, w),
      total_tokens: field(count, w),
      prompt_tokens_details: field(fc.record({ cached_tokens: field(count, w), audio_tokens: field(count, w) }, { requiredKeys: [] }), w),
      completion_tokens_details: field(fc.record({ reasoning_tokens: field(count, w), audio_tokens: field(count, w) }, { requiredKeys: [] }), w),
    },
    { requiredKeys: [] },
  );
  return fc.record(
    {
      id: field(text, w),
      model: field(text, w),
      object: field(fc.constant("chat.completion.chunk"), w),
      choices: field(fc.array(field(choice, w), { maxLength: 2 }), w),
      usage: field(fc.option(usage), w),
    },
    { requiredKeys: [] },
  );
}

export function anthropicEvent({ wrong: w, sane }: Hostility): fc.Arbitrary<unknown> {
  const count = sane ? saneCount : wildCount;
  const index = sane ? saneIndex : wildIndex;
  // The nested object an event type always carries (message, content_block, delta): absent only when not sane.
  const must = (...keys: string[]) => ({ requiredKeys: sane ? keys : ["type"] }) as never;
  const usage = fc.record(
    {
      input_tokens: field(count, w),
      output_tokens: field(count, w),
      cache_read_input_tokens: field(fc.option(count), w),
      cache_creation_input_tokens: field(fc.option(count), w),
    },
    { requiredKeys: [] },
  );
  const block = fc.oneof(
    fc.record({ type: fc.constant("text"), text: field(text, w) }, { requiredKeys: ["type"] }),
    fc.record({ type: fc.constant("thinking"), thinking: field(text, w) }, { requiredKeys: ["type"] }),
    fc.record({ type: fc.constant("tool_use"), id: field(text, w), name: field(fc.constantFrom("get_weather", "json_answer", "x"), w), input: fc.constant({}) }, { requiredKeys: ["type"] }),
    fc.record({ type: field(fc.constantFrom("server_tool_use", "redacted_thinking", "future"), w) }, { requiredKeys: [] }),
  );
  const delta = fc.oneof(
    fc.record({ type: fc.constant("text_delta"), text: field(text, w) }, { requiredKeys: ["type"] }),
    fc.record({ type: fc.constant("thinking_delta"), thinking: field(text, w) }, { requiredKeys: ["type"] }),
    fc.record({ type: fc.constant("input_json_delta"), partial_json: field(text, w) }, { requiredKeys: ["type"] }),
    fc.record({ type: field(fc.constantFrom("signature_delta", "citations_delta", "future"), w) }, { requiredKeys: [] }),
  );
  const event = fc.oneof(
    fc.record({ type: fc.constant("message_start"), message: field(fc.record({ id: field(text, w), model: field(text, w), usage: field(usage, w) }, { requiredKeys: [] }), w) }, must("type", "message")),
    fc.record({ type: fc.constant("content_block_start"), index: field(index, w), content_block: field(block, w) }, must("type", "index", "content_block")),
    fc.record({ type: fc.constant("content_block_delta"), index: field(index, w), delta: field(delta, w) }, must("type", "index", "delta")),
    fc.record({ type: fc.constant("content_block_stop"), index: field(index, w) }, { requiredKeys: ["type"] }),
    fc.record({ type: fc.constant("message_delta"), delta: field(fc.record({ stop_reason: field(fc.option(fc.constantFrom("end_turn", "max_tokens", "tool_use", "stop_sequence", "refusal", "pause_turn", "weird")), w) }, { requiredKeys: [] }), w), usage: field(usage, w) }, { requiredKeys: ["type"] }),
    fc.record({ type: fc.constant("message_stop") }),
    fc.record({ type: fc.constant("ping") }),
    fc.record({ type: fc.constant("error"), error: field(fc.record({ type: field(fc.constantFrom("overloaded_error", "api_error", "weird"), w), message: field(text, w) }, { requiredKeys: [] }), w) }, { requiredKeys: ["type"] }),
    fc.record({ type: field(fc.constantFrom("future_event"), w) }, { requiredKeys: [] }),
  );
  return event;
}

export function ollamaLine({ wrong: w, sane }: Hostility): fc.Arbitrary<unknown> {
  const count = sane ? saneCount : wildCount;
  const index = sane ? saneIndex : wildIndex;
  const toolCall = fc.record(
    {
      id: field(text, w),
      function: field(
        fc.record({ index: field(index, w), name: field(text, w), arguments: field(fc.oneof(fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }), text), w) }, { requiredKeys: [] }),
        w,
      ),
    },
    { requiredKeys: [] },
  );
  const message = fc.record(
    {
      role: field(fc.constant("assistant"), w),
      content: field(text, w),
      thinking: field(text, w),
      tool_calls: field(fc.array(field(toolCall, w), { maxLength: 2 }), w),
    },
    { requiredKeys: [] },
  );
  return fc.record(
    {
      model: field(text, w),
      created_at: field(text, w),
      message: field(fc.option(message), w),
      done: field(fc.boolean(), w),
      done_reason: field(fc.constantFrom("stop", "length", "load", ""), w),
      prompt_eval_count: field(count, w),
      eval_count: field(count, w),
    },
    { requiredKeys: ["done"] },
  );
}
