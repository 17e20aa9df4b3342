/**
 * A loadable llama-architecture GGUF written by the project itself, for plumbing tests when
 * ../shared/models/stories260K.gguf is absent: llama.cpp loads it and samples from flat logits
 * (every token equally likely), so generation, grammars, queues and cancellation can be
 * exercised, though the text means nothing.
 * Vocabulary: <unk>, <s>, </s>, the 256 byte tokens (SentencePiece byte fallback), "▁".
 *
 * Weights are zero except three, chosen so the model never ends on its own: every token embeds
 * to all-ones, the final norm keeps it, and the output row of </s> is all -1 (logit -16 against
 * 0 for every other token). Layers add nothing (zero weights), so the residual stream carries
 * the embedding straight to the output.
 */
import { writeGguf, str, u32, type GgufTensorSpec, type GgufWriteValue } from "../hardware/gguf-writer.js";

const EMBD = 16;
const FF = 32;
const LAYERS = 1;
const EOS = 2;

const f32 = (value: number): GgufWriteValue => ({ type: "f32", value });
const i32 = (value: number): GgufWriteValue => ({ type: "i32", value });

export function tinyLlamaGguf(): Buffer {
  const tokens = ["<unk>", "<s>", "</s>", ...Array.from({ length: 256 }, (_, b) => `<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`), "▁"];
  // token types: 1 normal, 2 unknown, 3 control, 6 byte
  const types = tokens.map((_, i) => (i === 0 ? 2 : i <= 2 ? 3 : i < 259 ? 6 : 1));
  const vocab = tokens.length;
  const tensors: GgufTensorSpec[] = [
    { name: "token_embd.weight", dims: [EMBD, vocab], type: 0 },
    { name: "output_norm.weight", dims: [EMBD], type: 0 },
    { name: "output.weight", dims: [EMBD, vocab], type: 0 },
  ];
  for (let l = 0; l < LAYERS; l++) {
    const t = (n: string, dims: number[]) => tensors.push({ name: `blk.${l}.${n}.weight`, dims, type: 0 });
    t("attn_norm", [EMBD]);
    t("attn_q", [EMBD, EMBD]);
    t("attn_k", [EMBD, EMBD / 2]);
    t("attn_v", [EMBD, EMBD / 2]);
    t("attn_output", [EMBD, EMBD]);
    t("ffn_norm", [EMBD]);
    t("ffn_gate", [EMBD, FF]);
    t("ffn_up", [EMBD, FF]);
    t("ffn_down", [FF, EMBD]);
  }
  const buf = writeGguf({
    kv: [
      ["general.architecture", str("llama")],
      ["general.name", str("hoosh zero-weight test model")],
      ["general.file_type", u32(0)],
      ["llama.context_length", u32(512)],
      ["llama.embedding_length", u32(EMBD)],
      ["llama.feed_forward_length", u32(FF)],
      ["llama.block_count", u32(LAYERS)],
      ["llama.attention.head_count", u32(2)],
      ["llama.attention.head_count_kv", u32(1)],
      ["llama.rope.dimension_count", u32(EMBD / 2)],
      ["llama.attention.layer_norm_rms_epsilon", f32(1e-5)],
      ["tokenizer.ggml.model", str("llama")],
      ["tokenizer.ggml.tokens", { type: "array", elementType: "string", values: tokens.map(str) }],
      ["tokenizer.ggml.scores", { type: "array", elementType: "f32", values: tokens.map(() => f32(0)) }],
      ["tokenizer.ggml.token_type", { type: "array", elementType: "i32", values: types.map(i32) }],
      ["tokenizer.ggml.unknown_token_id", u32(0)],
      ["tokenizer.ggml.bos_token_id", u32(1)],
      ["tokenizer.ggml.eos_token_id", u32(EOS)],
    ],
    tensors,
  });
  const fill = (name: string, values: (i: number) => number) => {
    const { offset, count } = layout(tensors, buf.length).get(name)!;
    for (let i = 0; i < count; i++) buf.writeFloatLE(values(i), offset + i * 4);
  };
  fill("token_embd.weight", () => 1);
  fill("output_norm.weight", () => 1);
  fill("output.weight", (i) => (Math.floor(i / EMBD) === EOS ? -1 : 0)); // row-major: EMBD floats per token
  return buf;
}

/** Where each (F32) tensor's data sits: the writer puts them, 32-byte aligned, at the end of the file. */
function layout(tensors: GgufTensorSpec[], fileSize: number): Map<string, { offset: number; count: number }> {
  const aligned = (n: number) => Math.ceil(n / 32) * 32;
  const counts = tensors.map((t) => t.dims.reduce((a, d) => a * d, 1));
  let offset = fileSize - counts.reduce((sum, c) => sum + aligned(c * 4), 0);
  const out = new Map<string, { offset: number; count: number }>();
  tensors.forEach((t, i) => {
    out.set(t.name, { offset, count: counts[i]! });
    offset += aligned(counts[i]! * 4);
  });
  return out;
}
