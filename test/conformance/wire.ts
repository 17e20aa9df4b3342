// Translations between the conformance protos and Connect's types (headers, errors, the
// echoed request info), and the runner's size-delimited stdin/stdout framing.
import { create } from "@bufbuild/protobuf";
import type { Any } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import {
  ConformancePayload_ConnectGetInfoSchema,
  ConformancePayload_RequestInfoSchema,
  HeaderSchema,
  type ConformancePayload_RequestInfo,
  type Error as ConformanceError,
  type Header,
} from "./gen/connectrpc/conformance/v1/service_pb.js";

export function addHeaders(target: Headers, headers: Header[]): void {
  for (const h of headers) for (const v of h.value) target.append(h.name, v);
}

function toHeaders(entries: Iterable<[string, string]>): Header[] {
  const byName = new Map<string, string[]>();
  for (const [name, value] of entries) byName.set(name, [...(byName.get(name) ?? []), value]);
  return [...byName].map(([name, value]) => create(HeaderSchema, { name, value }));
}

/** What the server observed: request headers, the call's timeout, the requests, and a GET's query. */
export function requestInfo(ctx: HandlerContext, requests: Any[]): ConformancePayload_RequestInfo {
  const timeout = ctx.timeoutMs();
  const get = ctx.requestMethod === "GET" ? new URL(ctx.url, "http://server.invalid").searchParams : undefined;
  return create(ConformancePayload_RequestInfoSchema, {
    requestHeaders: toHeaders(ctx.requestHeader),
    timeoutMs: timeout === undefined ? undefined : BigInt(timeout),
    requests,
    connectGetInfo: get ? create(ConformancePayload_ConnectGetInfoSchema, { queryParams: toHeaders(get) }) : undefined,
  });
}

/** The requested error; its details travel as sent (raw Any), then the request info when given. */
export function errorFrom(err: ConformanceError, info?: ConformancePayload_RequestInfo): ConnectError {
  // The conformance Code enum has gRPC's numbers, as Connect's Code does.
  const error = new ConnectError(err.message ?? "", err.code as number as Code, undefined, info ? [{ desc: ConformancePayload_RequestInfoSchema, value: info }] : []);
  // The constructor takes only typed details; raw ones (as a client would receive them) go in front.
  error.details.unshift(...err.details.map((d) => ({ type: d.typeUrl.slice(d.typeUrl.lastIndexOf("/") + 1), value: d.value })));
  return error;
}

export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

/** Reads one message framed as a 4-byte big-endian length and the bytes (the runner's stdin). */
export async function readDelimited(input: NodeJS.ReadableStream): Promise<Uint8Array> {
  let buffered = Buffer.alloc(0);
  for await (const chunk of input) {
    buffered = Buffer.concat([buffered, chunk as Buffer]);
    if (buffered.length >= 4 && buffered.length >= 4 + buffered.readUInt32BE(0)) return buffered.subarray(4, 4 + buffered.readUInt32BE(0));
  }
  throw new Error(`stdin ended after ${buffered.length} bytes, before one size-delimited message`);
}

export function writeDelimited(message: Uint8Array): Buffer {
  const out = Buffer.alloc(4 + message.length);
  out.writeUInt32BE(message.length, 0);
  out.set(message, 4);
  return out;
}
