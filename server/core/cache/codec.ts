// Cache entries as bytes for the shared tier (shared-tier.ts).
//
//   unary:  0x01, GenerateResponse (protobuf binary)
//   stream: 0x01, then per event: varint length, GenerateStreamResponse (protobuf binary)
//
// Protobuf binary because it is the canonical model, compact (no field names,
// no base64) and every replica of one version reads it the same way. The
// leading format byte lets a later format be told apart (an unknown one is a
// decode error, i.e. a miss); the key itself also starts with "v1" (key.ts).
// What is encoded is the entry as stored, already marked as a hit, so a
// decoded entry is used as is; its `bytes` equals what entry.ts computes.
import { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire";
import { fromBinary, toBinary } from "@bufbuild/protobuf";

import { GenerateResponseSchema, GenerateStreamResponseSchema } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import type { StreamEntry, UnaryEntry } from "./entry.js";

const FORMAT = 1;

export function encodeUnary(entry: UnaryEntry): Uint8Array {
  const body = toBinary(GenerateResponseSchema, entry.response);
  const out = new Uint8Array(body.byteLength + 1);
  out[0] = FORMAT;
  out.set(body, 1);
  return out;
}

export function decodeUnary(bytes: Uint8Array): UnaryEntry {
  checkFormat(bytes);
  return { response: fromBinary(GenerateResponseSchema, bytes.subarray(1)), bytes: bytes.byteLength - 1 };
}

export function encodeStream(entry: StreamEntry): Uint8Array {
  const w = new BinaryWriter();
  w.raw(Uint8Array.of(FORMAT));
  for (const ev of entry.events) w.bytes(toBinary(GenerateStreamResponseSchema, ev));
  return w.finish();
}

/** Throws on a truncated or foreign value, or one that does not end with an end event. */
export function decodeStream(bytes: Uint8Array): StreamEntry {
  checkFormat(bytes);
  const r = new BinaryReader(bytes.subarray(1));
  const events = [];
  let size = 0;
  while (r.pos < r.len) {
    const ev = r.bytes();
    size += ev.byteLength;
    events.push(fromBinary(GenerateStreamResponseSchema, ev));
  }
  if (events.at(-1)?.event.case !== "end") throw new Error("cached stream has no end event");
  return { events, bytes: size };
}

function checkFormat(bytes: Uint8Array): void {
  if (bytes[0] !== FORMAT) throw new Error(`cached value has format ${bytes[0] ?? "(empty)"}, expected ${FORMAT}`);
}
