// Where in a protobuf JSON body an unknown enum value sits, for the error a caller reads:
// protobuf-es says `cannot decode field hoosh.v1.Message.role from JSON: "ROLE_ROBOT"`, which
// names the type but not which message; this names the path, `messages[0].role`, and the
// values allowed. Only runs after fromJson has failed (the error path), never on good input.
import type { DescEnum, DescField, DescMessage } from "@bufbuild/protobuf";

export interface BadEnum {
  /** e.g. "messages[0].role" (proto field names). */
  path: string;
  value: unknown;
  allowed: string[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** The first enum value in `json` that `desc`'s enums do not know, depth first; undefined when there is none. */
export function findBadEnum(desc: DescMessage, json: unknown, prefix = ""): BadEnum | undefined {
  if (!isObject(json)) return undefined;
  for (const [key, value] of Object.entries(json)) {
    const field = desc.fields.find((f) => f.jsonName === key || f.name === key);
    if (!field || value === null) continue;
    const path = prefix ? `${prefix}.${field.name}` : field.name;
    const found = inField(field, value, path);
    if (found) return found;
  }
  return undefined;
}

function inField(field: DescField, value: unknown, path: string): BadEnum | undefined {
  switch (field.fieldKind) {
    case "enum":
      return badValue(field.enum, value, path);
    case "message":
      return findBadEnum(field.message, value, path);
    case "list":
      if (!Array.isArray(value)) return undefined;
      for (const [i, item] of value.entries()) {
        const at = `${path}[${i}]`;
        const found = field.listKind === "enum" ? badValue(field.enum, item, at) : field.listKind === "message" ? findBadEnum(field.message, item, at) : undefined;
        if (found) return found;
      }
      return undefined;
    case "map":
      if (!isObject(value)) return undefined;
      for (const [k, item] of Object.entries(value)) {
        const at = `${path}[${JSON.stringify(k)}]`;
        const found = field.mapKind === "enum" ? badValue(field.enum, item, at) : field.mapKind === "message" ? findBadEnum(field.message, item, at) : undefined;
        if (found) return found;
      }
      return undefined;
    default:
      return undefined;
  }
}

function badValue(e: DescEnum, value: unknown, path: string): BadEnum | undefined {
  if (value === null) return undefined;
  // Numbers are open-enum values (the core checks the known ones); strings must be a value's name.
  if (typeof value === "number" && Number.isInteger(value)) return undefined;
  if (typeof value === "string" && e.values.some((v) => v.name === value)) return undefined;
  return { path, value, allowed: e.values.map((v) => v.name) };
}

/** "messages[0].role: "ROLE_ROBOT" is not one of: ROLE_UNSPECIFIED, ROLE_SYSTEM, ..." */
export function describeBadEnum(bad: BadEnum): string {
  return `${bad.path}: ${JSON.stringify(bad.value)} is not one of: ${bad.allowed.join(", ")}`;
}
