// Azure OpenAI error bodies to ConnectError: OpenAI's shape, plus the content
// filter (code "content_filter", innererror ResponsibleAIPolicyViolation) named
// with the categories it blocked, and the throttling answer with its Retry-After.
import { Code, ConnectError } from "@connectrpc/connect";
import { upstreamStatusError } from "../http-errors.js";
import { describeError } from "../openai/errors.js";
import type { AzureErrorBody, ContentFilterResult } from "./wire.js";

function parse(body: string): AzureErrorBody["error"] | undefined {
  try {
    const e = (JSON.parse(body) as AzureErrorBody).error;
    return e && typeof e === "object" ? e : undefined;
  } catch {
    return undefined;
  }
}

/** "hate=high, violence=medium" for the categories the filter blocked. */
export function filteredCategories(result: ContentFilterResult | undefined): string {
  const blocked = Object.entries(result ?? {})
    .filter(([, r]) => r?.filtered)
    .map(([category, r]) => (r?.severity ? `${category}=${r.severity}` : category));
  return blocked.length > 0 ? blocked.join(", ") : "no category named";
}

export function azureHttpError(provider: string, status: number, body: string, retryAfter?: string): ConnectError {
  const e = parse(body);
  if (e && (e.code === "content_filter" || e.innererror?.code === "ResponsibleAIPolicyViolation")) {
    // The prompt itself was refused: the caller must change it (like Gemini's blocked prompts).
    return new ConnectError(
      `provider "${provider}" refused the prompt: Azure content filter blocked it (${filteredCategories(e.innererror?.content_filter_result)}): ${e.message ?? "(no message)"}`,
      Code.InvalidArgument,
    );
  }
  return upstreamStatusError(provider, status, describeError(body), retryAfter);
}
