// Builds the request message of a bound RPC: the JSON body first (fromJson,
// unknown fields rejected), then path variables (they win over the body), then
// query parameters into the fields neither covers. Every failure is
// InvalidArgument naming the body, the path variable or the query parameter.
import { create, fromJson, type DescField, type JsonValue, type Message, type Registry } from "@bufbuild/protobuf";
import { reflect, type ReflectMessage } from "@bufbuild/protobuf/reflect";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Binding } from "./bindings.js";
import { assignText, resolveFieldPath } from "./fields.js";
import { MAX_JSON_DEPTH, tooDeep } from "../json-depth.js";
import { describeBadEnum, findBadEnum } from "../../core/enum-path.js";

const invalid = (message: string) => new ConnectError(message, Code.InvalidArgument);
const utf8 = new TextDecoder("utf-8", { fatal: true });

export function buildRequest(binding: Binding, values: readonly string[], query: URLSearchParams, body: Uint8Array | undefined, registry: Registry): Message {
  const { method } = binding;
  const message = binding.body === "" ? create(method.input) : fromBody(binding, body, registry);
  const r = reflect(method.input, message);
  binding.pathFields.forEach((fields, i) => {
    const name = binding.template.variables[i]!.fieldPath.join(".");
    assignText(r, fields, values[i] ?? "", `path variable ${name}`);
  });
  applyQuery(binding, r, query);
  return message;
}

function fromBody(binding: Binding, bytes: Uint8Array | undefined, registry: Registry): Message {
  let json: JsonValue = {};
  if (bytes && bytes.length > 0) {
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      throw invalid("body: not valid UTF-8");
    }
    if (text.trim() !== "") {
      try {
        json = JSON.parse(text) as JsonValue;
      } catch (err) {
        throw invalid(`body: not valid JSON: ${(err as Error).message}`);
      }
      if (tooDeep(json)) throw invalid(`body: nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep`);
    }
  }
  const { input } = binding.method;
  if (binding.body !== "*" && binding.body !== "") json = { [binding.body.jsonName]: json };
  else if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw invalid(`body: must be a JSON object (${input.typeName}), got ${json === null ? "null" : Array.isArray(json) ? "an array" : typeof json}`);
  }
  try {
    return fromJson(input, json, { ignoreUnknownFields: false, registry });
  } catch (err) {
    // An unknown enum value is named by its path (messages[0].role), not only its type.
    const bad = findBadEnum(input, json);
    throw invalid(`body: ${bad ? describeBadEnum(bad) : (err as Error).message}`);
  }
}

function applyQuery(binding: Binding, r: ReflectMessage, query: URLSearchParams): void {
  const given = new Set<string>();
  for (const [key, value] of query) {
    const label = `query parameter ${key}`;
    if (binding.body === "*") throw invalid(`${label}: not allowed; the JSON body sets every field of ${binding.method.input.typeName}`);
    const fields = resolveFieldPath(binding.method.input, key.split("."));
    if (typeof fields === "string") throw invalid(`${label}: ${fields}`);
    const path = fields.map((f) => f.name).join(".");
    if (binding.body !== "" && fields[0] === binding.body) throw invalid(`${label}: ${binding.body.name} is set by the JSON body`);
    if (binding.pathFields.some((p) => overlaps(p, fields))) throw invalid(`${label}: ${path} is set by the URL path`);
    const last = fields[fields.length - 1]!;
    const repeats = last.fieldKind === "list" || last.message?.typeName === "google.protobuf.FieldMask";
    if (given.has(path) && !repeats) throw invalid(`${label}: given more than once, but ${path} is not a repeated field`);
    given.add(path);
    assignText(r, fields, value, label);
  }
}

/** True when one field path is a prefix of the other. */
function overlaps(a: readonly DescField[], b: readonly DescField[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}
