// AWS event-stream frames (application/vnd.amazon.eventstream), encoded from
// the specification with node:zlib's CRC-32 (independent of the codec hoosh
// decodes with): prelude (total length, headers length, prelude CRC),
// headers, payload, message CRC. Header values here are all strings (type 7).
import { crc32 } from "node:zlib";

function header(name: string, value: string): Buffer {
  const n = Buffer.from(name, "utf8");
  const v = Buffer.from(value, "utf8");
  const out = Buffer.alloc(1 + n.length + 1 + 2 + v.length);
  out.writeUInt8(n.length, 0);
  n.copy(out, 1);
  out.writeUInt8(7, 1 + n.length);
  out.writeUInt16BE(v.length, 2 + n.length);
  v.copy(out, 4 + n.length);
  return out;
}

export function frame(headers: Record<string, string>, payload: Buffer): Buffer {
  const h = Buffer.concat(Object.entries(headers).map(([k, v]) => header(k, v)));
  const total = 12 + h.length + payload.length + 4;
  const out = Buffer.alloc(total);
  out.writeUInt32BE(total, 0);
  out.writeUInt32BE(h.length, 4);
  out.writeUInt32BE(crc32(out.subarray(0, 8)), 8);
  h.copy(out, 12);
  payload.copy(out, 12 + h.length);
  out.writeUInt32BE(crc32(out.subarray(0, total - 4)), total - 4);
  return out;
}

export function eventFrame(type: string, body: unknown): Buffer {
  return frame({ ":event-type": type, ":content-type": "application/json", ":message-type": "event" }, Buffer.from(JSON.stringify(body)));
}

export function exceptionFrame(type: string, message: string): Buffer {
  return frame({ ":exception-type": type, ":content-type": "application/json", ":message-type": "exception" }, Buffer.from(JSON.stringify({ message })));
}
