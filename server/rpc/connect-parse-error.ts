// A malformed binary request message on the Connect protocol is the caller's fault: 400
// invalid_argument, as connect-go answers. connect-es raises it as Internal (500) from inside
// its handler, before any interceptor runs, so the one place to correct it is the answer:
// a Connect unary error whose JSON body is {"code":"internal","message":"parse binary: ..."}.
// (gRPC keeps Internal for the same failure, as grpc-go does; the gRPC fast path agrees.)
import type { UniversalServerRequest, UniversalServerResponse } from "@connectrpc/connect/protocol";

const CONNECT_UNARY_PROTO = /^application\/proto(?:;.*)?$/i;
const PARSE_BINARY = "parse binary:";

export function isConnectUnaryProto(req: UniversalServerRequest): boolean {
  return req.method === "POST" && CONNECT_UNARY_PROTO.test(req.header.get("content-type") ?? "");
}

/** The answer, with a request-message parse failure as 400 invalid_argument instead of 500 internal. */
export async function correctParseError(res: UniversalServerResponse): Promise<UniversalServerResponse> {
  if (res.status !== 500 || res.body === undefined || res.header?.get("content-encoding")) return res;
  const bytes = await collect(res.body);
  const error = jsonOf(bytes) as { code?: unknown; message?: unknown } | undefined;
  if (error?.code !== "internal" || typeof error.message !== "string" || !error.message.startsWith(PARSE_BINARY)) {
    return { ...res, body: once(bytes) };
  }
  return withBody(res, 400, { ...error, code: "invalid_argument", message: `request message: ${error.message}` });
}

function withBody(res: UniversalServerResponse, status: number, json: object): UniversalServerResponse {
  const body = Buffer.from(JSON.stringify(json));
  const header = new Headers(res.header);
  header.set("content-length", String(body.length));
  return { ...res, status, header, body: once(body) };
}

async function collect(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function jsonOf(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch {
    return undefined;
  }
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}
