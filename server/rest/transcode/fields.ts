// Field paths ("pool.name", "groupBy") resolved on a message type, and text
// from the URL (path variables, query parameters) set into a message through
// reflection. Errors name the parameter, the value and what is allowed.
import { create, fromJson, type DescField, type DescMessage } from "@bufbuild/protobuf";
import { isReflectList, reflect, type ReflectMessage } from "@bufbuild/protobuf/reflect";
import { Code, ConnectError } from "@connectrpc/connect";
import { parseScalar } from "./scalars.js";

const byName = new WeakMap<DescMessage, Map<string, DescField>>();

/** A field by its proto name ("group_by") or JSON name ("groupBy"). */
export function findField(desc: DescMessage, name: string): DescField | undefined {
  let names = byName.get(desc);
  if (!names) {
    names = new Map();
    for (const f of desc.fields) names.set(f.name, f).set(f.jsonName, f);
    byName.set(desc, names);
  }
  return names.get(name);
}

/** Resolves ["pool", "name"] to its fields; every field but the last must be a singular message. */
export function resolveFieldPath(desc: DescMessage, path: readonly string[]): DescField[] | string {
  const fields: DescField[] = [];
  let at: DescMessage | undefined = desc;
  for (const [i, name] of path.entries()) {
    const field: DescField | undefined = at ? findField(at, name) : undefined;
    if (!field) return `${at?.typeName ?? "(scalar)"} has no field "${name}"`;
    fields.push(field);
    at = field.fieldKind === "message" ? field.message : undefined;
    if (i < path.length - 1 && !at) return `${path.slice(0, i + 1).join(".")} is not a message field`;
  }
  return fields;
}

const bad = (label: string, message: string) => new ConnectError(`${label}: ${message}`, Code.InvalidArgument);

/** The message field's value, set to an empty message first when unset. */
function child(r: ReflectMessage, field: DescField & { fieldKind: "message" }): ReflectMessage {
  if (!r.isSet(field)) r.set(field, reflect(field.message, create(field.message)));
  return r.get(field);
}

/** Sets text into root at fields (as resolveFieldPath returned them); label names it in errors. */
export function assignText(root: ReflectMessage, fields: readonly DescField[], text: string, label: string): void {
  let r = root;
  for (const field of fields.slice(0, -1)) {
    if (field.fieldKind !== "message") throw bad(label, `${field.name} is not a message field`);
    r = child(r, field);
  }
  const field = fields[fields.length - 1];
  if (!field) throw bad(label, "empty field path");
  if (field.oneof) {
    const other = r.oneofCase(field.oneof);
    if (other && other !== field) throw bad(label, `${field.name} and ${other.name} are in the same oneof; set only one`);
  }
  switch (field.fieldKind) {
    case "scalar":
      r.set(field, parseScalar(field.scalar, text, label));
      return;
    case "enum":
      r.set(field, parseEnum(field, text, label));
      return;
    case "list":
      if (field.listKind === "scalar") r.get(field).add(parseScalar(field.scalar, text, label));
      else if (field.listKind === "enum") r.get(field).add(parseEnum(field, text, label));
      else throw bad(label, `${field.name} is a list of messages; send it in a JSON body`);
      return;
    case "map":
      throw bad(label, `${field.name} is a map; send it in a JSON body`);
    case "message":
      setWellKnown(r, field, text, label);
      return;
  }
}

function parseEnum(field: DescField, text: string, label: string): number {
  const desc = field.enum!;
  const value = desc.values.find((v) => v.name === text) ?? (/^-?\d+$/.test(text) ? desc.value[Number(text)] : undefined);
  if (value) return value.number;
  const names = desc.values.map((v) => v.name);
  const shown = names.length > 12 ? `${names.slice(0, 12).join(", ")}, ...` : names.join(", ");
  throw bad(label, `${JSON.stringify(text)} is not one of: ${shown}`);
}

const WRAPPERS = new Set(["Double", "Float", "Int64", "UInt64", "Int32", "UInt32", "Bool", "String", "Bytes"].map((n) => `google.protobuf.${n}Value`));

/** Message fields a URL can carry: FieldMask ("a,bC" appends paths), Timestamp, Duration and the wrappers. */
function setWellKnown(r: ReflectMessage, field: DescField & { fieldKind: "message" }, text: string, label: string): void {
  const typeName = field.message.typeName;
  if (typeName === "google.protobuf.FieldMask") {
    const mask = child(r, field);
    const paths = mask.get(field.message.fields[0]!);
    if (!isReflectList(paths)) throw bad(label, "malformed FieldMask descriptor");
    for (const p of text.split(",")) {
      if (p === "") continue;
      paths.add(p.includes("_") ? p : p.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
    }
    return;
  }
  if (WRAPPERS.has(typeName)) {
    const inner = field.message.fields[0]!;
    if (inner.fieldKind !== "scalar") throw bad(label, "malformed wrapper descriptor");
    // Wrapper fields are unboxed in messages: set a whole new wrapper, not a copy's field.
    const wrapper = reflect(field.message, create(field.message));
    wrapper.set(inner, parseScalar(inner.scalar, text, label));
    r.set(field, wrapper);
    return;
  }
  if (typeName === "google.protobuf.Timestamp" || typeName === "google.protobuf.Duration") {
    try {
      r.set(field, reflect(field.message, fromJson(field.message, text)));
    } catch {
      const form = typeName.endsWith("Timestamp") ? "an RFC 3339 time such as 2024-05-01T00:00:00Z" : 'seconds with an "s" suffix such as 1.5s';
      throw bad(label, `${JSON.stringify(text)} is not ${form}`);
    }
    return;
  }
  throw bad(label, `${field.name} is a ${typeName}; set its fields as ${label}.FIELD or send a JSON body`);
}
