/**
 * Streaming GGUF metadata reader (GGUF v2 and v3, little-endian).
 *
 * Layout: "GGUF" u32 version, u64 tensor_count, u64 kv_count, then kv_count pairs of
 * (string key, u32 value type, value), then tensor_count tensor infos (string name, u32 n_dims,
 * u64 dims[n_dims], u32 ggml type, u64 offset), padding to general.alignment, tensor data.
 * Strings are u64 length + UTF-8 bytes; arrays are u32 element type + u64 count + elements.
 *
 * Reads go through a 64 KiB window (file-reader.ts) and every length and count is checked against
 * the bytes left in the file, so a corrupt or hostile file gives a clear error, never a huge
 * allocation. Tensor infos are read only when the metadata lacks general.parameter_count or
 * general.file_type (then parameters are counted and the dominant tensor type is taken).
 */
import { open } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";

import { Quantization } from "../../gen/ts/hoosh/v1/hardware_pb.js";
import { BoundedReader } from "./file-reader.js";
import { readTensorInfos } from "./gguf-tensors.js";
import { fileTypeName, quantFromName } from "./quantization.js";

const MAGIC = 0x46554747; // "GGUF" read little-endian
const HEADER_BYTES = 24;
const MAX_KEY_BYTES = 65_535;
const MAX_KEPT_STRING_BYTES = 64 * 1024;
const MAX_KEPT_NUMBERS = 4096;
const MAX_KEPT_OTHER = 16; // elements of string and nested arrays
const MAX_ARRAY_DEPTH = 4;

const TYPE_NAMES = ["uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "bool", "string", "array", "uint64", "int64", "float64"] as const;
const STRING = 8;
const ARRAY = 9;
/** Bytes per element of fixed-size types; strings take at least 8 and arrays at least 12. */
const FIXED_SIZE: Readonly<Record<number, number>> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

export interface GgufArray {
  readonly type: "array";
  readonly elementType: string;
  readonly length: number;
  /** Kept for numeric arrays up to 4096 elements and string or nested arrays up to 16. */
  readonly values?: readonly GgufValue[];
}
/** A string value longer than 64 KiB: skipped, only its length is known. */
export interface GgufLongString {
  readonly type: "long-string";
  readonly length: number;
}
export type GgufValue = number | bigint | boolean | string | GgufArray | GgufLongString;

export interface GgufInfo {
  readonly version: number;
  readonly tensorCount: number;
  readonly metadata: ReadonlyMap<string, GgufValue>;
  readonly architecture?: string | undefined;
  readonly name?: string | undefined;
  /** general.parameter_count, else the sum of tensor element counts. */
  readonly parameterCount?: number | undefined;
  readonly parameterCountSource?: "metadata" | "tensors" | undefined;
  /** general.file_type (llama_ftype), if present. */
  readonly fileType?: number | undefined;
  /** "Q4_K_M", "F32", ...: from general.file_type, else the dominant tensor type; "unknown" if neither. */
  readonly quantizationName: string;
  /** The hoosh.v1 enum for quantizationName; UNSPECIFIED when the proto has no such value. */
  readonly quantization: Quantization;
  readonly contextLength?: number | undefined;
  readonly blockCount?: number | undefined;
  readonly embeddingLength?: number | undefined;
  readonly headCount?: number | undefined;
  readonly headCountKv?: number | undefined;
  readonly keyLength?: number | undefined;
  readonly valueLength?: number | undefined;
  readonly hasChatTemplate: boolean;
  readonly fileSize: number;
  /** Bytes of tensor data: exact when tensor infos were read, else file size minus the metadata. */
  readonly tensorDataBytes: number;
}

/** Reads the GGUF metadata of the file at `path`. Throws ModelFileError for non-GGUF or corrupt files. */
export async function readGgufFile(path: string): Promise<GgufInfo> {
  const fh = await open(path, "r");
  try {
    const { size } = await fh.stat();
    return await readGguf(fh, size);
  } finally {
    await fh.close();
  }
}

export async function readGguf(fh: FileHandle, size: number): Promise<GgufInfo> {
  const r = new BoundedReader(fh, size, "corrupt GGUF");
  if (size < HEADER_BYTES) throw r.fail(`file is ${size} bytes, shorter than the ${HEADER_BYTES}-byte GGUF header`);
  await r.ensure(HEADER_BYTES, "header");
  const magic = r.u32();
  if (magic !== MAGIC) throw r.fail(`not a GGUF file: starts with 0x${magic.toString(16).padStart(8, "0")} (little-endian), expected "GGUF"`);
  const version = r.u32();
  if (version !== 2 && version !== 3) {
    const swapped = Buffer.alloc(4);
    swapped.writeUInt32BE(version);
    const be = swapped.readUInt32LE();
    if (be === 2 || be === 3) throw r.fail(`big-endian GGUF v${be} is not supported (only little-endian v2 and v3)`);
    throw r.fail(`unsupported GGUF version ${version} (supported: 2, 3)`);
  }
  const tensorCount = r.length("tensor count", Math.floor(r.remaining / 24));
  const kvCount = r.length("metadata kv count", Math.floor(r.remaining / 13));

  const metadata = new Map<string, GgufValue>();
  for (let i = 0; i < kvCount; i++) {
    const keyAt = r.pos;
    const key = await readString(r, `key of metadata entry ${i}`, MAX_KEY_BYTES);
    if (typeof key !== "string") throw r.fail(`metadata key at offset ${keyAt} is longer than ${MAX_KEY_BYTES} bytes`);
    await r.ensure(4, `type of "${key}"`);
    const type = r.u32();
    metadata.set(key, await readValue(r, type, key, 0));
  }
  const metadataEnd = r.pos;

  const arch = str(metadata.get("general.architecture"));
  const num = (key: string): number | undefined => toNumber(metadata.get(key));
  const archNum = (suffix: string): number | undefined => (arch === undefined ? undefined : num(`${arch}.${suffix}`));
  let parameterCount = num("general.parameter_count");
  let parameterCountSource: GgufInfo["parameterCountSource"] = parameterCount === undefined ? undefined : "metadata";
  const fileType = num("general.file_type");
  let quantizationName = fileType === undefined ? "unknown" : fileTypeName(fileType);
  let tensorDataBytes = size - metadataEnd;

  if (parameterCount === undefined || fileType === undefined) {
    const alignment = num("general.alignment") ?? 32;
    if (!Number.isInteger(alignment) || alignment <= 0 || (alignment & (alignment - 1)) !== 0 || alignment > 1 << 20) {
      throw r.fail(`general.alignment ${alignment} is not a power of two up to 1 MiB`);
    }
    const t = await readTensorInfos(r, tensorCount);
    const dataStart = Math.ceil(r.pos / alignment) * alignment;
    if (dataStart > size) throw r.fail(`tensor data would start at offset ${dataStart}, past the end of the file (${size})`);
    tensorDataBytes = size - dataStart;
    if (parameterCount === undefined) {
      parameterCount = t.parameters;
      parameterCountSource = "tensors";
    }
    if (fileType === undefined && t.dominantType !== undefined) quantizationName = t.dominantType;
  }

  return {
    version,
    tensorCount,
    metadata,
    architecture: arch,
    name: str(metadata.get("general.name")),
    parameterCount,
    parameterCountSource,
    fileType,
    quantizationName,
    quantization: quantizationName === "unknown" ? Quantization.UNSPECIFIED : quantFromName(quantizationName),
    contextLength: archNum("context_length"),
    blockCount: archNum("block_count"),
    embeddingLength: archNum("embedding_length"),
    headCount: archNum("attention.head_count"),
    headCountKv: archNum("attention.head_count_kv"),
    keyLength: archNum("attention.key_length"),
    valueLength: archNum("attention.value_length"),
    hasChatTemplate: [...metadata.keys()].some((k) => k === "tokenizer.chat_template" || k.startsWith("tokenizer.chat_template.")),
    fileSize: size,
    tensorDataBytes,
  };
}

/** A string, or a GgufLongString when longer than `keep` bytes (or `keep` is 0). */
async function readString(r: BoundedReader, what: string, keep: number): Promise<string | GgufLongString> {
  if (!r.has(8)) await r.ensure(8, `length of ${what}`);
  const len = r.length(`length of ${what}`, Math.max(0, r.remaining - 8));
  if (len > keep) {
    r.skip(len, what);
    return { type: "long-string", length: len };
  }
  if (!r.has(len)) await r.ensure(len, what);
  return r.bytes(len).toString("utf8");
}

async function readValue(r: BoundedReader, type: number, key: string, depth: number): Promise<GgufValue> {
  const size = FIXED_SIZE[type];
  if (size !== undefined) {
    if (!r.has(size)) await r.ensure(size, `value of "${key}"`);
    return readFixed(r, type);
  }
  if (type === STRING) return readString(r, `value of "${key}"`, MAX_KEPT_STRING_BYTES);
  if (type === ARRAY) {
    if (depth >= MAX_ARRAY_DEPTH) throw r.fail(`"${key}" nests arrays deeper than ${MAX_ARRAY_DEPTH}`);
    await r.ensure(12, `array header of "${key}"`);
    const elementType = r.u32();
    const elemSize = FIXED_SIZE[elementType] ?? (elementType === STRING ? 8 : elementType === ARRAY ? 12 : undefined);
    if (elemSize === undefined) throw r.fail(`"${key}" is an array of unknown value type ${elementType} (valid: 0-12)`);
    const length = r.length(`element count of "${key}"`, Math.floor(r.remaining / elemSize));
    const elementTypeName = TYPE_NAMES[elementType]!;
    const fixed = FIXED_SIZE[elementType];
    if (fixed !== undefined && length > MAX_KEPT_NUMBERS) {
      r.skip(length * fixed, `elements of "${key}"`);
      return { type: "array", elementType: elementTypeName, length };
    }
    const keep = fixed !== undefined || length <= MAX_KEPT_OTHER;
    if (elementType === STRING && !keep) {
      // Vocabularies: 100k+ strings. Skip them with an await only when the window runs out.
      const what = `a string in "${key}"`;
      for (let i = 0; i < length; i++) {
        if (!r.has(8)) await r.ensure(8, what);
        r.skip(r.length(what, Math.max(0, r.remaining - 8)), what);
      }
      return { type: "array", elementType: elementTypeName, length };
    }
    const values: GgufValue[] = [];
    for (let i = 0; i < length; i++) {
      const v = await readValue(r, elementType, key, depth + 1);
      if (keep) values.push(v);
    }
    return keep ? { type: "array", elementType: elementTypeName, length, values } : { type: "array", elementType: elementTypeName, length };
  }
  throw r.fail(`"${key}" has unknown value type ${type} at offset ${r.pos - 4} (valid: 0-12)`);
}

function readFixed(r: BoundedReader, type: number): GgufValue {
  switch (type) {
    case 0: return r.u8();
    case 1: return r.i8();
    case 2: return r.u16();
    case 3: return r.i16();
    case 4: return r.u32();
    case 5: return r.i32();
    case 6: return r.f32();
    case 7: return r.u8() !== 0;
    case 10: return safe(r.u64());
    case 11: return safe(r.i64());
    default: return r.f64();
  }
}

function safe(v: bigint): number | bigint {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
}

function str(v: GgufValue | undefined): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** A metadata number; for per-layer arrays (some models vary kv heads by layer) the largest. */
function toNumber(v: GgufValue | undefined): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (v && typeof v === "object" && v.type === "array" && v.values && v.values.length > 0) {
    const nums = v.values.map(toNumber).filter((n): n is number => n !== undefined);
    return nums.length > 0 ? Math.max(...nums) : undefined;
  }
  return undefined;
}
