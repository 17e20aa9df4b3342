/** Crafted model-file bytes for format tests: safetensors, the head of an ONNX model, zip entries. */

/** A safetensors file: u64 LE header length, JSON header, tensor bytes. */
export function safetensors(tensors: Record<string, { dtype: string; shape: number[] }>): Buffer {
  let offset = 0;
  const header: Record<string, unknown> = { __metadata__: { format: "pt" } };
  const bytesPer: Record<string, number> = { F32: 4, F16: 2, BF16: 2, I8: 1 };
  for (const [name, t] of Object.entries(tensors)) {
    const n = t.shape.reduce((a, d) => a * d, 1) * (bytesPer[t.dtype] ?? 4);
    header[name] = { ...t, data_offsets: [offset, offset + n] };
    offset += n;
  }
  const json = Buffer.from(JSON.stringify(header).padEnd(8 * Math.ceil(JSON.stringify(header).length / 8), " "));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, Buffer.alloc(offset)]);
}

function varint(n: number): number[] {
  const out: number[] = [];
  do {
    out.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
    n = Math.floor(n / 128);
  } while (n > 0);
  return out;
}
function field(num: number, payload: Buffer): Buffer {
  return Buffer.from([...varint(num * 8 + 2), ...varint(payload.length), ...payload]);
}

/** The start of an ONNX ModelProto as exporters write it: ir_version, producer, graph, opset_import. */
export function onnxModel(graphBytes = 300): Buffer {
  const graph = Buffer.concat([field(1, Buffer.alloc(graphBytes - 4)), Buffer.from([])]); // GraphProto.node (opaque here)
  const opset = Buffer.from([0x0a, 0x00, 0x10, 0x11]); // OperatorSetIdProto { domain: "", version: 17 }
  return Buffer.concat([
    Buffer.from([0x08, 0x08]), // ir_version 8
    field(2, Buffer.from("pytorch")),
    field(3, Buffer.from("2.1.0")),
    field(7, graph),
    field(8, opset),
  ]);
}

/** A stored (uncompressed) zip local file entry. */
export function zipEntry(name: string, data: Buffer): Buffer {
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(20, 4); // version needed
  h.writeUInt32LE(data.length, 18); // compressed size
  h.writeUInt32LE(data.length, 22); // uncompressed size
  h.writeUInt16LE(Buffer.byteLength(name), 26);
  return Buffer.concat([h, Buffer.from(name), data]);
}
