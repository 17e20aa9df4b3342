// The one way a REST edge reads a JSON request body: the media type (415), the size cap (413), the
// bytes as strict UTF-8 (invalid UTF-8 is a 400, never silently replaced), JSON.parse, the nesting
// bound, then a zod schema whose first issue becomes InvalidArgument naming the field path
// (body-issues.ts). Fields the schema does not know are returned, not dropped silently: the edge
// reports them in x-hoosh-ignored-params.
import { Code } from "@connectrpc/connect";
import type { z } from "zod";
import { invalidArgument, reasonedError } from "../core/errors.js";
import { describeIssue } from "./body-issues.js";
import type { HttpRequest } from "./handler.js";
import { discardBody, mediaType, readBody } from "./http-io.js";
import { unsupportedMediaType } from "./edge-errors.js";
import { MAX_JSON_DEPTH, tooDeep } from "./json-depth.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });

const badBody = (message: string) => reasonedError(Code.InvalidArgument, "INVALID_BODY", message);

/** The body as JSON: 415 (not JSON), 413 (too large), 400 (empty, not UTF-8, unparseable, nested too deeply). */
export async function readJson(req: HttpRequest, maxBytes: number): Promise<unknown> {
  const type = mediaType(req);
  if (type !== "application/json" && !type.endsWith("+json")) {
    discardBody(req);
    throw unsupportedMediaType(type, "send application/json");
  }
  return parseJsonBytes(await readBody(req, maxBytes));
}

/** Bytes of a JSON body, checked as readJson describes. */
export function parseJsonBytes(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw badBody("request body is not valid UTF-8; send JSON encoded as UTF-8");
  }
  if (text.trim() === "") throw badBody("request body is empty; send a JSON object");
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch (err) {
    throw badBody(`request body is not valid JSON: ${(err as Error).message}`);
  }
  if (tooDeep(body)) throw badBody(`request body nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep`);
  return body;
}

/** The body checked against `schema`: its value, or InvalidArgument naming the first bad field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw invalidArgument("body", `expected a JSON object, got ${Array.isArray(body) ? "an array" : body === null ? "null" : `a ${typeof body}`}`, "INVALID_TYPE");
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const first = result.error.issues[0]!;
  const issue = describeIssue(first as z.core.$ZodIssue, schema, body);
  throw invalidArgument(issue.field, issue.message, issue.reason);
}

/** Top-level keys of `body` that the object schema does not define, in the body's order. */
export function unknownKeys(schema: z.ZodObject, body: unknown): string[] {
  if (typeof body !== "object" || body === null) return [];
  const known = schema.shape;
  return Object.keys(body).filter((k) => !Object.hasOwn(known, k));
}
