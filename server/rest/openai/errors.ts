// Any error of this edge (HttpError from parsing, ConnectError from the core)
// as OpenAI's error JSON and HTTP status: the one place this edge maps errors.
import { Code, ConnectError } from "@connectrpc/connect";
import { HttpError, httpStatusOf, retryAfterOf } from "../http-io.js";
import type { ErrorBody } from "./wire.js";

export interface MappedError {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
}

/** "field: message" at the start of the core's InvalidArgument messages. */
const FIELD = /^([A-Za-z_][\w.[\]]*): /;

/** The core names fields as in hoosh.v1 (proto names); clients know OpenAI's. First match wins. */
const OPENAI_NAMES: [RegExp, string][] = [
  [/^sampling\./, ""],
  [/^inputs\b/, "input"],
  [/^(messages\[\d+\]\.tool_calls\[\d+\])\.name$/, "$1.function.name"],
  [/^tools\[(\d+)\]\.name$/, "tools[$1].function.name"],
  [/^tool_choice\.function_name$/, "tool_choice.function.name"],
  [/\.image\.(url|mime_type)$/, ".image_url.url"],
  [/\.image$/, ".image_url"],
  [/\.audio\.data$/, ".input_audio.data"],
  [/^config\.(model|language|prompt)$/, "$1"],
  [/^(config(\.\w+)?|audio)$/, "file"],
];

export function openAIParam(field: string): string {
  for (const [pattern, replacement] of OPENAI_NAMES) if (pattern.test(field)) return field.replace(pattern, replacement);
  return field;
}

function typeFor(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 429) return "rate_limit_error";
  if (status === 499) return "request_cancelled";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

const CODES: Partial<Record<number, string>> = {
  401: "invalid_api_key",
  429: "rate_limit_exceeded",
  499: "request_cancelled",
  501: "not_implemented",
  503: "service_unavailable",
  504: "timeout",
};

function body(status: number, message: string, param: string | null, code: string | null): ErrorBody {
  return { error: { message, type: typeFor(status), param, code } };
}

export function toOpenAIError(err: unknown): MappedError {
  if (err instanceof HttpError) {
    const { param, code, headers } = err.options;
    return { status: err.status, body: body(err.status, err.message, param ?? null, code ?? null), headers: headers ?? {} };
  }
  const e = ConnectError.from(err);
  const status = httpStatusOf(e.code);
  let message = e.rawMessage;
  let param: string | null = null;
  let code = CODES[status] ?? null;
  const headers: Record<string, string> = {};
  if (e.code === Code.InvalidArgument || e.code === Code.OutOfRange) {
    const field = FIELD.exec(message)?.[1];
    if (field) {
      param = openAIParam(field);
      message = `${param}: ${message.slice(field.length + 2)}`;
      code = "invalid_value";
    }
  } else if (e.code === Code.NotFound && /\bmodel\b/i.test(message)) {
    param = "model";
    code = "model_not_found";
  } else if (e.code === Code.ResourceExhausted) {
    const after = retryAfterOf(e);
    if (after !== undefined) headers["retry-after"] = after;
  }
  return { status, body: body(status, message, param, code), headers };
}
