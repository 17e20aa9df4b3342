// Errors as google.rpc.Status JSON ({"code": 5, "message": "...", "details": [...]})
// with the HTTP status from the one table (rest/http-status.ts: grpc-gateway's, plus
// reasons such as REQUEST_TOO_LARGE → 413).
// Retry-After and x-request-id are copied from the error's metadata.
import { create, createRegistry, toJson, type JsonObject, type JsonValue, type Registry } from "@bufbuild/protobuf";
import { anyPack, AnySchema } from "@bufbuild/protobuf/wkt";
import { base64Encode } from "@bufbuild/protobuf/wire";
import { ConnectError } from "@connectrpc/connect";
import { httpStatusOf } from "../http-status.js";

/** Metadata copied from an error onto the HTTP response. */
const COPIED = ["retry-after", "x-request-id"];

export interface HttpError {
  status: number;
  headers: Record<string, string>;
  body: JsonObject;
}

export function httpError(reason: unknown, registry: Registry, status?: number): HttpError {
  const err = ConnectError.from(reason);
  const headers: Record<string, string> = {};
  for (const name of COPIED) {
    const value = err.metadata.get(name);
    if (value) headers[name] = value;
  }
  return { status: status ?? httpStatusOf(err), headers, body: statusJson(err, registry) };
}

export function statusJson(err: ConnectError, registry: Registry): JsonObject {
  return { code: err.code, message: err.rawMessage, details: err.details.map((d) => detailJson(d, registry)) };
}

/** A detail as Any JSON ("@type" plus the fields, or "value" for well-known types); raw base64 when the type is unknown here. */
function detailJson(detail: ConnectError["details"][number], registry: Registry): JsonValue {
  const any =
    "desc" in detail
      ? anyPack(detail.desc, create(detail.desc, detail.value))
      : create(AnySchema, { typeUrl: `type.googleapis.com/${detail.type}`, value: detail.value });
  try {
    return toJson(AnySchema, any, { registry: "desc" in detail ? createRegistry(registry, detail.desc) : registry });
  } catch {
    return { "@type": any.typeUrl, value: base64Encode(any.value) };
  }
}
