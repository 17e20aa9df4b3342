/**
 * Model-format detection from a file's first bytes (pass at least 64 KiB when the file has them;
 * `fileSize` lets length fields be checked against the whole file).
 *
 *   GGUF         "GGUF" then u32 LE version 1..3.
 *   safetensors  u64 LE header length N (2 ≤ N ≤ 100 MiB and 8 + N ≤ file size), then a JSON
 *                header whose first byte is "{" (spaces allowed before it).
 *   PyTorch zip  "PK\x03\x04" (zip local file header) with an entry named "data.pkl" or
 *                ".../data.pkl" among the local headers in the bytes given (torch.save since 1.6
 *                writes "<archive>/data.pkl" first). Other zips are rejected as not a model.
 *   pickle       0x80 then protocol 2..5 (torch.save before 1.6, or a plain pickle; noted when it
 *                carries PyTorch's legacy magic number).
 *   ONNX         a serialized onnx.ModelProto. Protobuf has no magic, so this is a heuristic:
 *                the first byte is 0x08 (field 1 ir_version, varint) with a value of 1..100, and
 *                every top-level field after it, as far as the bytes go, is a ModelProto field with
 *                its proper wire type (producer_name 2, producer_version 3, domain 4,
 *                model_version 5, doc_string 6, graph 7, opset_import 8, metadata_props 14,
 *                training_info 20, functions 25, configuration 26) whose length fits in the file;
 *                at least one of graph or opset_import must be seen (exporters write
 *                ir_version, producer_*, then graph, then opset_import).
 * Anything else, or too few bytes to tell, throws an `invalid` ModelFileError saying what was seen.
 */
import { invalidModel } from "./errors.js";

export type ModelFormat = "gguf" | "safetensors" | "onnx" | "pytorch-zip" | "pickle";

export interface DetectedFormat {
  readonly format: ModelFormat;
  readonly details: Readonly<Record<string, string | number | boolean>>;
}

export const MIN_DETECT_BYTES = 8;
const MAX_SAFETENSORS_HEADER = 100 * 1024 * 1024;

export function detectModelFormat(head: Uint8Array, fileSize: number = head.length): DetectedFormat {
  const b = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (b.length < MIN_DETECT_BYTES) {
    throw invalidModel(`too short to identify: ${b.length} bytes (need at least ${MIN_DETECT_BYTES})`);
  }
  if (b.toString("latin1", 0, 4) === "GGUF") {
    const version = b.readUInt32LE(4);
    if (version < 1 || version > 3) throw invalidModel(`GGUF magic but unsupported version ${version} (known: 1, 2, 3)`);
    return { format: "gguf", details: { version } };
  }
  if (b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04) return detectZip(b);
  if (b[0] === 0x80 && b[1]! >= 2 && b[1]! <= 5) return detectPickle(b);
  const st = detectSafetensors(b, fileSize);
  if (st) return st;
  const onnx = detectOnnx(b, fileSize);
  if (onnx) return onnx;
  // Never the bytes themselves: the file may be anything on the server, and errors reach clients.
  throw invalidModel("unrecognised model format: the file's header matches none of GGUF, safetensors, ONNX, PyTorch zip or pickle");
}

function hex(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join(" ");
}

function detectSafetensors(b: Buffer, fileSize: number): DetectedFormat | undefined {
  const n = b.readBigUInt64LE(0);
  if (n < 2n || n > BigInt(MAX_SAFETENSORS_HEADER) || 8n + n > BigInt(fileSize)) return undefined;
  let i = 8;
  while (i < b.length && i < 8 + Number(n) && (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09)) i++;
  if (i >= b.length || b[i] !== 0x7b) return undefined;
  return { format: "safetensors", details: { headerBytes: Number(n) } };
}

function detectPickle(b: Buffer): DetectedFormat {
  // torch.save before 1.6: pickled LONG1 magic 0x1950a86a20f9469cfc6c, i.e. 8a 0a 6c fc 9c 46 f9 20 6a a8 50 19.
  const torchMagic = b.length >= 14 && hex(b.subarray(2, 14)) === "8a 0a 6c fc 9c 46 f9 20 6a a8 50 19";
  return { format: "pickle", details: { protocol: b[1]!, legacyTorch: torchMagic } };
}

function detectZip(b: Buffer): DetectedFormat {
  let off = 0;
  const names: string[] = [];
  while (off + 30 <= b.length && b.readUInt32LE(off) === 0x04034b50) {
    const flags = b.readUInt16LE(off + 6);
    const compressed = b.readUInt32LE(off + 18);
    const nameLen = b.readUInt16LE(off + 26);
    const extraLen = b.readUInt16LE(off + 28);
    if (off + 30 + nameLen > b.length) break;
    const name = b.toString("utf8", off + 30, off + 30 + nameLen);
    names.push(name);
    if (name === "data.pkl" || name.endsWith("/data.pkl")) {
      return { format: "pytorch-zip", details: { archive: name.slice(0, -"data.pkl".length).replace(/\/$/, ""), entry: name } };
    }
    if (flags & 0x08) break; // sizes are in a trailing data descriptor: can't hop to the next header
    off += 30 + nameLen + extraLen + compressed;
  }
  if (names.length === 0) throw invalidModel("zip signature but the first local file header is truncated");
  throw invalidModel(`zip archive without a data.pkl entry (first entries: ${names.slice(0, 3).join(", ")}): not a PyTorch checkpoint`);
}

/** ModelProto field number → wire type (0 varint, 2 length-delimited). */
const ONNX_FIELDS: Readonly<Record<number, number>> = { 1: 0, 2: 2, 3: 2, 4: 2, 5: 0, 6: 2, 7: 2, 8: 2, 14: 2, 20: 2, 25: 2, 26: 2 };

function detectOnnx(b: Buffer, fileSize: number): DetectedFormat | undefined {
  if (b[0] !== 0x08) return undefined;
  let off = 1;
  const irVersion = varint(b, off);
  if (!irVersion || irVersion.value < 1 || irVersion.value > 100) return undefined;
  off = irVersion.next;
  const details: Record<string, string | number> = { irVersion: irVersion.value };
  let structural = false;
  while (off < b.length) {
    const tag = varint(b, off);
    if (!tag) break; // ran out of bytes mid-varint
    const field = Math.floor(tag.value / 8);
    const wire = tag.value & 7;
    if (ONNX_FIELDS[field] !== wire) return undefined;
    off = tag.next;
    const v = varint(b, off);
    if (!v) break;
    off = v.next;
    if (wire === 2) {
      if (off + v.value > fileSize) return undefined;
      if (field === 7 || field === 8) structural = true;
      if ((field === 2 || field === 3) && off + v.value <= b.length && v.value <= 256) {
        details[field === 2 ? "producerName" : "producerVersion"] = b.toString("utf8", off, off + v.value);
      }
      off += v.value;
    }
  }
  return structural ? { format: "onnx", details } : undefined;
}

function varint(b: Buffer, off: number): { value: number; next: number } | undefined {
  let value = 0;
  for (let i = 0; i < 8 && off + i < b.length; i++) {
    const byte = b[off + i]!;
    value += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) return { value, next: off + i + 1 };
  }
  return undefined;
}
