// The OpenAI edges' one error renderer (pure): any error as OpenAI's error JSON
// ({"error":{"message","type","param","code"}}) with the status from the one table
// (rest/http-status.ts). Field errors name OpenAI's field (param), from the error's details.
import { Code, ConnectError } from "@connectrpc/connect";
import { descriptionOf, fieldOf, reasonOf } from "../../core/errors.js";
import type { ErrorBody } from "../../providers/openai/wire.js";
import type { RenderedError } from "../exchange.js";
import { errorHeaders, httpStatusOf, REASONS } from "../http-status.js";

/** The core names fields as in hoosh.v1 (proto names); chat-completions clients know OpenAI's. First match wins. */
const CHAT_NAMES: [RegExp, string][] = [
  [/^sampling\.top_k$/, "top_k"],
  [/^sampling\./, ""],
  [/^reasoning(\.effort)?$/, "reasoning_effort"],
  [/^inputs\b/, "input"],
  [/^(messages\[\d+\]\.tool_calls\[\d+\])\.name$/, "$1.function.name"],
  [/^tools\[(\d+)\]\.name$/, "tools[$1].function.name"],
  [/^tool_choice\.function_name$/, "tool_choice.function.name"],
  [/\.image\.(url|mime_type)$/, ".image_url.url"],
  [/\.image$/, ".image_url"],
  [/\.audio\.data$/, ".input_audio.data"],
  [/^messages\.name$/, "messages[].name"],
  [/^config\.(model|language|prompt)$/, "$1"],
  [/^(config(\.\w+)?|audio)$/, "file"],
  // Speech: the core checks SynthesizeRequest.format; /v1/audio/speech calls it response_format.
  [/^format$/, "response_format"],
];

/** hoosh.v1 field path -> the chat-completions (and embeddings, audio) field. */
export function openAIParam(field: string): string {
  for (const [pattern, replacement] of CHAT_NAMES) if (pattern.test(field)) return field.replace(pattern, replacement);
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

const CODE_OF_STATUS: Partial<Record<number, string>> = {
  401: "invalid_api_key",
  413: "request_too_large",
  429: "rate_limit_exceeded",
  499: "request_cancelled",
  501: "not_implemented",
  503: "service_unavailable",
  504: "timeout",
};

/** hoosh's field-error reasons as OpenAI's error codes. */
const CODE_OF_REASON: Record<string, string> = {
  MISSING: "missing_required_parameter",
  INVALID_TYPE: "invalid_type",
  INVALID_VALUE: "invalid_value",
  UNSUPPORTED_VALUE: "unsupported_value",
  UNSUPPORTED_PARAMETER: "unsupported_parameter",
  [REASONS.UNKNOWN_PATH]: "unknown_url",
};

function body(status: number, message: string, param: string | null, code: string | null): ErrorBody {
  return { error: { message, type: typeFor(status), param, code } };
}

export function renderOpenAIError(err: unknown, names: (field: string) => string = openAIParam): RenderedError<ErrorBody> {
  const e = ConnectError.from(err);
  const status = httpStatusOf(e, "openai");
  const reason = reasonOf(e);
  let message = e.rawMessage;
  let param: string | null = null;
  let code = (reason && CODE_OF_REASON[reason]) || CODE_OF_STATUS[status] || null;
  const field = fieldOf(e);
  if (field !== undefined && field !== "body") {
    param = names(field);
    message = `${param}: ${descriptionOf(e)}`;
    code ??= "invalid_value";
    if (reason === undefined) code = "invalid_value";
  } else if (e.code === Code.NotFound && /\bmodel\b/i.test(message)) {
    param = "model";
    code = "model_not_found";
  }
  return { status, headers: errorHeaders(e, status), body: body(status, message, param, code) };
}
