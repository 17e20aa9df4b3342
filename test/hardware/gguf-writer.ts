/**
 * A small GGUF writer for tests: any metadata value type (arrays and nested arrays included),
 * tensor infos and zero-filled F32/F16 tensor data, aligned as llama.cpp expects.
 */
type Scalar =
  | { type: "u8" | "i8" | "u16" | "i16" | "u32" | "i32" | "f32" | "f64"; value: number }
  | { type: "u64" | "i64"; value: bigint }
  | { type: "bool"; value: boolean }
  | { type: "string"; value: string };
export type GgufWriteValue = Scalar | { type: "array"; elementType: GgufWriteValue["type"]; values: GgufWriteValue[] };

export interface GgufTensorSpec {
  readonly name: string;
  readonly dims: readonly number[];
  /** ggml type: 0 F32, 1 F16. */
  readonly type: 0 | 1;
}

export interface GgufSpec {
  readonly version?: number;
  readonly kv: ReadonlyArray<readonly [string, GgufWriteValue]>;
  readonly tensors?: readonly GgufTensorSpec[];
  readonly alignment?: number;
}

const TYPE_IDS: Record<GgufWriteValue["type"], number> = {
  u8: 0, i8: 1, u16: 2, i16: 3, u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9, u64: 10, i64: 11, f64: 12,
};

export const u32 = (value: number): GgufWriteValue => ({ type: "u32", value });
export const str = (value: string): GgufWriteValue => ({ type: "string", value });

class Out {
  private parts: Buffer[] = [];
  length = 0;
  push(b: Buffer): void {
    this.parts.push(b);
    this.length += b.length;
  }
  num(kind: "u8" | "i8" | "u16" | "i16" | "u32" | "i32" | "f32" | "f64", v: number): void {
    const sizes = { u8: 1, i8: 1, u16: 2, i16: 2, u32: 4, i32: 4, f32: 4, f64: 8 } as const;
    const b = Buffer.alloc(sizes[kind]);
    if (kind === "u8") b.writeUInt8(v);
    else if (kind === "i8") b.writeInt8(v);
    else if (kind === "u16") b.writeUInt16LE(v);
    else if (kind === "i16") b.writeInt16LE(v);
    else if (kind === "u32") b.writeUInt32LE(v);
    else if (kind === "i32") b.writeInt32LE(v);
    else if (kind === "f32") b.writeFloatLE(v);
    else b.writeDoubleLE(v);
    this.push(b);
  }
  u64(v: bigint | number): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.push(b);
  }
  i64(v: bigint): void {
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(v);
    this.push(b);
  }
  string(s: string): void {
    const b = Buffer.from(s, "utf8");
    this.u64(b.length);
    this.push(b);
  }
  concat(): Buffer {
    return Buffer.concat(this.parts);
  }
}

function writeValue(o: Out, v: GgufWriteValue): void {
  switch (v.type) {
    case "u64": return o.u64(v.value);
    case "i64": return o.i64(v.value);
    case "bool": return o.num("u8", v.value ? 1 : 0);
    case "string": return o.string(v.value);
    case "array":
      o.num("u32", TYPE_IDS[v.elementType]);
      o.u64(v.values.length);
      for (const e of v.values) writeValue(o, e);
      return;
    default:
      return o.num(v.type, v.value);
  }
}

export function writeGguf(spec: GgufSpec): Buffer {
  const o = new Out();
  const tensors = spec.tensors ?? [];
  const alignment = spec.alignment ?? 32;
  o.push(Buffer.from("GGUF", "latin1"));
  o.num("u32", spec.version ?? 3);
  o.u64(tensors.length);
  o.u64(spec.kv.length);
  for (const [key, value] of spec.kv) {
    o.string(key);
    o.num("u32", TYPE_IDS[value.type]);
    writeValue(o, value);
  }
  let offset = 0;
  const sizes: number[] = [];
  for (const t of tensors) {
    o.string(t.name);
    o.num("u32", t.dims.length);
    for (const d of t.dims) o.u64(d);
    o.num("u32", t.type);
    o.u64(offset);
    const bytes = t.dims.reduce((a, d) => a * d, 1) * (t.type === 0 ? 4 : 2);
    sizes.push(bytes);
    offset += Math.ceil(bytes / alignment) * alignment;
  }
  const pad = (Math.ceil(o.length / alignment) * alignment) - o.length;
  o.push(Buffer.alloc(pad));
  for (const bytes of sizes) o.push(Buffer.alloc(Math.ceil(bytes / alignment) * alignment));
  return o.concat();
}

/**
 * A tiny llama-shaped model: 2 layers, width 16, 2 heads, 1 kv head, F16 weights, a chat template,
 * one value of every GGUF type and a nested array. No general.parameter_count, so readers must
 * count tensor elements: 32×16 (token_embd) + 2 × (4 × 16×16 + 2 × 16) + 16×32 (output) = 3136.
 */
export function tinyGguf(): Buffer {
  const layerTensors: GgufTensorSpec[] = [];
  for (let l = 0; l < 2; l++) {
    for (const n of ["attn_q", "attn_k", "attn_v", "attn_output"]) layerTensors.push({ name: `blk.${l}.${n}.weight`, dims: [16, 16], type: 1 });
    layerTensors.push({ name: `blk.${l}.attn_norm.weight`, dims: [16], type: 0 });
    layerTensors.push({ name: `blk.${l}.ffn_norm.weight`, dims: [16], type: 0 });
  }
  return writeGguf({
    kv: [
      ["general.architecture", str("llama")],
      ["general.name", str("hoosh tiny test model")],
      ["general.file_type", u32(1)],
      ["llama.context_length", u32(256)],
      ["llama.embedding_length", u32(16)],
      ["llama.block_count", u32(2)],
      ["llama.attention.head_count", u32(2)],
      ["llama.attention.head_count_kv", u32(1)],
      ["llama.rope.freq_base", { type: "f32", value: 10000 }],
      ["test.u8", { type: "u8", value: 200 }],
      ["test.i8", { type: "i8", value: -5 }],
      ["test.u16", { type: "u16", value: 65000 }],
      ["test.i16", { type: "i16", value: -300 }],
      ["test.i32", { type: "i32", value: -70000 }],
      ["test.bool", { type: "bool", value: true }],
      ["test.u64", { type: "u64", value: 1n << 40n }],
      ["test.u64_big", { type: "u64", value: (1n << 63n) + 5n }],
      ["test.i64", { type: "i64", value: -(1n << 40n) }],
      ["test.f64", { type: "f64", value: 0.125 }],
      ["test.nested", { type: "array", elementType: "array", values: [
        { type: "array", elementType: "u8", values: [{ type: "u8", value: 1 }, { type: "u8", value: 2 }] },
        { type: "array", elementType: "string", values: [str("a"), str("bc")] },
      ] }],
      ["tokenizer.ggml.model", str("llama")],
      ["tokenizer.ggml.tokens", { type: "array", elementType: "string", values: Array.from({ length: 32 }, (_, i) => str(`t${i}`)) }],
      ["tokenizer.ggml.scores", { type: "array", elementType: "f32", values: Array.from({ length: 32 }, (_, i) => ({ type: "f32", value: -i })) }],
      ["tokenizer.chat_template", str("{% for m in messages %}{{ m.content }}{% endfor %}")],
    ],
    tensors: [{ name: "token_embd.weight", dims: [16, 32], type: 1 }, ...layerTensors, { name: "output.weight", dims: [16, 32], type: 1 }],
  });
}
