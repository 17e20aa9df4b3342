// gRPC-Web text mode (application/grpc-web-text, the default of protoc-gen-grpc-web clients):
// the binary gRPC-Web protocol with both bodies base64-encoded. connect-node serves only the
// binary form, so a text request is rewritten into it at the universal level (decoded request
// body, binary content type) and its answer encoded back. The answer is encoded in 3-byte
// groups with the remainder carried to the next chunk, so padding only ever ends the body
// (grpc-web's client decodes the text it has so far in 4-character steps), as Envoy does.
import { Code, ConnectError } from "@connectrpc/connect";
import type { UniversalServerRequest, UniversalServerResponse } from "@connectrpc/connect/protocol";

const TEXT = /^application\/grpc-web-text(?:\+proto)?(?:;.*)?$/i;
const TEXT_RESPONSE_TYPE = "application/grpc-web-text+proto";

export function isGrpcWebText(contentType: string | null | undefined): boolean {
  return typeof contentType === "string" && TEXT.test(contentType);
}

/** The request as binary gRPC-Web: same headers but the content type, body base64-decoded as it arrives. */
export function decodeTextRequest(req: UniversalServerRequest): UniversalServerRequest {
  const header = new Headers(req.header);
  header.set("content-type", "application/grpc-web+proto");
  const body = req.body;
  if (typeof body !== "object" || body === null || !(Symbol.asyncIterator in body)) return { ...req, header };
  return { ...req, header, body: base64Decoded(body as AsyncIterable<Uint8Array>) };
}

/** The binary gRPC-Web answer as text: content type and a base64 body. */
export function encodeTextResponse(res: UniversalServerResponse): UniversalServerResponse {
  const header = new Headers(res.header);
  if (header.has("content-type")) header.set("content-type", TEXT_RESPONSE_TYPE);
  header.delete("content-length");
  return { ...res, header, body: res.body === undefined ? undefined : base64Encoded(res.body) };
}

async function* base64Encoded(body: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  let carry = Buffer.alloc(0);
  for await (const chunk of body) {
    const bytes = carry.length === 0 ? Buffer.from(chunk) : Buffer.concat([carry, chunk]);
    const whole = bytes.length - (bytes.length % 3);
    carry = bytes.subarray(whole);
    if (whole > 0) yield Buffer.from(bytes.subarray(0, whole).toString("base64"), "latin1");
  }
  if (carry.length > 0) yield Buffer.from(carry.toString("base64"), "latin1");
}

const BASE64 = /^[A-Za-z0-9+/=]*$/;
const WHITESPACE = /\s+/g;

/**
 * Decodes base64 text as it arrives: whole 4-character groups at a time, whitespace ignored,
 * and padded groups anywhere (a client may send several separately padded segments).
 */
async function* base64Decoded(body: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  let pending = "";
  for await (const chunk of body) {
    pending += Buffer.from(chunk).toString("latin1").replace(WHITESPACE, "");
    const whole = pending.length - (pending.length % 4);
    if (whole === 0) continue;
    const text = pending.slice(0, whole);
    pending = pending.slice(whole);
    yield decodeGroups(text);
  }
  if (pending.length > 0) throw new ConnectError("grpc-web-text: request body is not base64 (length not a multiple of 4)", Code.InvalidArgument);
}

function decodeGroups(text: string): Buffer {
  if (!BASE64.test(text)) throw new ConnectError("grpc-web-text: request body is not base64", Code.InvalidArgument);
  const parts: Buffer[] = [];
  let from = 0;
  // Buffer.from(base64) stops at the first padding: decode each padded segment on its own.
  for (let pad = text.indexOf("=", from); pad !== -1; pad = text.indexOf("=", from)) {
    const end = Math.ceil((pad + 1) / 4) * 4;
    parts.push(Buffer.from(text.slice(from, end), "base64"));
    from = end;
  }
  if (from < text.length) parts.push(Buffer.from(text.slice(from), "base64"));
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}
