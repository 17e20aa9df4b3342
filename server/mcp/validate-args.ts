// A tool call's arguments checked before they leave hoosh: their size
// ([[mcp_servers]] max_argument_bytes) and the tool's inputSchema (JSON Schema;
// 2020-12 unless the schema names an older draft). Errors are INVALID_ARGUMENT
// naming the field ("arguments.city: must be string"). A schema hoosh cannot
// compile is left to the server to enforce (logged once).
import { Code, ConnectError } from "@connectrpc/connect";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";

/** At most this many problems are listed in one error. */
const MAX_PROBLEMS = 5;

type LogFn = (level: "warn", msg: string, fields: Record<string, unknown>) => void;

function instance<T extends Ajv>(make: () => T): T {
  const ajv = make();
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  return ajv;
}

export class ArgumentValidator {
  private readonly ajv2020 = instance(() => new Ajv2020({ strict: false, allErrors: true, validateSchema: false }));
  private readonly ajv07 = instance(() => new Ajv({ strict: false, allErrors: true, validateSchema: false }));
  private readonly compiled = new WeakMap<object, ValidateFunction | null>();

  constructor(private readonly log: LogFn = () => {}) {}

  /** Throws INVALID_ARGUMENT when `args` is too large or does not match the tool's inputSchema. */
  check(tool: Tool, exposedName: string, args: Record<string, unknown>, maxBytes: number, limitName: string): void {
    const bytes = Buffer.byteLength(JSON.stringify(args));
    if (bytes > maxBytes) {
      throw new ConnectError(`arguments: ${bytes} bytes of JSON is more than the ${maxBytes} bytes tool "${exposedName}" accepts (${limitName})`, Code.InvalidArgument);
    }
    const validate = this.validator(tool, exposedName);
    if (!validate || validate(args)) return;
    const problems = (validate.errors ?? []).slice(0, MAX_PROBLEMS).map(describe);
    const more = (validate.errors?.length ?? 0) > MAX_PROBLEMS ? `; and ${(validate.errors?.length ?? 0) - MAX_PROBLEMS} more` : "";
    throw new ConnectError(`arguments do not match the input schema of tool "${exposedName}": ${problems.join("; ")}${more}`, Code.InvalidArgument);
  }

  private validator(tool: Tool, exposedName: string): ValidateFunction | null {
    const schema = tool.inputSchema as Record<string, unknown>;
    let fn = this.compiled.get(schema);
    if (fn !== undefined) return fn;
    const draft = typeof schema.$schema === "string" && /draft-0[4-7]/.test(schema.$schema);
    try {
      fn = (draft ? this.ajv07 : this.ajv2020).compile(schema);
    } catch (err) {
      this.log("warn", "tool input schema does not compile; the server checks its arguments", { tool: exposedName, error: (err as Error).message });
      fn = null;
    }
    this.compiled.set(schema, fn);
    return fn;
  }
}

/** "/a/0/b" as "arguments.a[0].b". */
function fieldPath(pointer: string): string {
  let out = "arguments";
  for (const raw of pointer.split("/").slice(1)) {
    const part = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    out += /^\d+$/.test(part) ? `[${part}]` : /^[A-Za-z_$][\w$]*$/.test(part) ? `.${part}` : `[${JSON.stringify(part)}]`;
  }
  return out;
}

function describe(e: ErrorObject): string {
  const at = fieldPath(e.instancePath);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "required":
      return `${fieldPath(`${e.instancePath}/${String(p.missingProperty)}`)}: is required`;
    case "additionalProperties":
      return `${fieldPath(`${e.instancePath}/${String(p.additionalProperty)}`)}: is not a field of this tool`;
    case "enum":
      return `${at}: must be one of ${JSON.stringify(p.allowedValues)}`;
    case "type":
      return `${at}: must be ${String(p.type)}`;
    default:
      return `${at}: ${e.message ?? e.keyword}`;
  }
}
