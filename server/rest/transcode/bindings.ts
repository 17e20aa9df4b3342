// Reads every method's google.api.http rule (and its additional_bindings) once
// at startup and compiles it into a Binding: HTTP method, path matcher, the
// fields path variables set, and how the body maps. Misconfigured rules stop
// startup with an error naming the method and the rule.
import { getOption, hasOption, type DescField, type DescMethod, type DescService } from "@bufbuild/protobuf";
import { http } from "../../../gen/ts/google/api/annotations_pb.js";
import type { HttpRule } from "../../../gen/ts/google/api/http_pb.js";
import { resolveFieldPath } from "./fields.js";
import { compareSpecificity, compileTemplate, type PathTemplate } from "./template.js";

export interface Binding {
  service: DescService;
  method: DescMethod;
  /** Upper case: GET, POST, PUT, PATCH, DELETE, or a custom kind. */
  httpMethod: string;
  template: PathTemplate;
  /** Fields each template variable sets, in template.variables order. */
  pathFields: DescField[][];
  /** "" (no body), "*" (the whole request) or the top-level field the body is. */
  body: "" | "*" | DescField;
  /** The response field to answer with instead of the whole response. */
  responseBody: DescField | undefined;
  /** "POST /hoosh/v1/generate" */
  label: string;
}

/** Paths the OpenAI and Anthropic edges own; native REST must stay out of them. */
const RESERVED_SEGMENT = "v1";

export class BindingError extends Error {
  override name = "BindingError";
}

export function compileBindings(services: readonly DescService[]): Binding[] {
  const bindings: Binding[] = [];
  const seen = new Map<string, string>();
  for (const service of services) {
    for (const method of service.methods) {
      if (!hasOption(method, http)) continue;
      const where = `${service.typeName}.${method.name}`;
      if (method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming") {
        throw new BindingError(`${where}: google.api.http on a ${method.methodKind.replace("_", "-")} RPC is not supported`);
      }
      const rule = getOption(method, http);
      for (const r of [rule, ...rule.additionalBindings]) {
        if (r !== rule && r.additionalBindings.length > 0) {
          throw new BindingError(`${where}: additional_bindings must not nest additional_bindings`);
        }
        const binding = compileRule(service, method, r, where);
        const previous = seen.get(binding.label);
        if (previous) throw new BindingError(`${where}: ${binding.label} is already bound to ${previous}`);
        seen.set(binding.label, where);
        bindings.push(binding);
      }
    }
  }
  return bindings.sort((a, b) => compareSpecificity(a.template, b.template));
}

function compileRule(service: DescService, method: DescMethod, rule: HttpRule, where: string): Binding {
  const fail = (why: string): never => {
    throw new BindingError(`${where}: ${why}`);
  };
  const { pattern } = rule;
  let httpMethod: string;
  let path: string;
  if (pattern.case === undefined) return fail("google.api.http rule has no pattern (get, post, put, patch, delete or custom)");
  if (pattern.case === "custom") {
    httpMethod = pattern.value.kind.toUpperCase();
    path = pattern.value.path;
    if (!/^[A-Z]+$/.test(httpMethod)) fail(`custom kind ${JSON.stringify(pattern.value.kind)} is not an HTTP method`);
  } else {
    httpMethod = pattern.case.toUpperCase();
    path = pattern.value;
  }
  const label = `${httpMethod} ${path}`;
  let template: PathTemplate;
  try {
    template = compileTemplate(path);
  } catch (err) {
    return fail((err as Error).message);
  }
  // The first segment decides whether a path can reach /v1/...: it must be a literal other than "v1".
  const first = template.tokens[0];
  if (first?.kind !== "literal" || first.value === RESERVED_SEGMENT) {
    fail(`${label} could match paths under /${RESERVED_SEGMENT}/, where the OpenAI and Anthropic edges live; native REST paths belong under /hoosh/v1/`);
  }

  const pathFields = template.variables.map((v) => {
    const fields = resolveFieldPath(method.input, v.fieldPath);
    if (typeof fields === "string") return fail(`${label}: variable {${v.fieldPath.join(".")}}: ${fields}`);
    const last = fields[fields.length - 1];
    if (!last || (last.fieldKind !== "scalar" && last.fieldKind !== "enum")) {
      return fail(`${label}: variable {${v.fieldPath.join(".")}} must name a singular scalar or enum field`);
    }
    return fields;
  });

  let body: Binding["body"] = "";
  if (rule.body === "*") body = "*";
  else if (rule.body !== "") {
    const field = method.input.fields.find((f) => f.name === rule.body);
    if (!field) fail(`${label}: body "${rule.body}" is not a top-level field of ${method.input.typeName}`);
    body = field!;
  }
  if (body !== "" && httpMethod === "GET") fail(`${label}: a GET binding must not have a body`);

  let responseBody: DescField | undefined;
  if (rule.responseBody !== "") {
    responseBody = method.output.fields.find((f) => f.name === rule.responseBody);
    if (!responseBody) fail(`${label}: response_body "${rule.responseBody}" is not a top-level field of ${method.output.typeName}`);
  }
  return { service, method, httpMethod, template, pathFields, body, responseBody, label };
}
