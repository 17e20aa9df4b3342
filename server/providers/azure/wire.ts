// Azure OpenAI JSON beyond OpenAI's own (which lives in ../openai/wire.ts):
// its error bodies with content-filter results, and the Microsoft Entra token answer.

/** Per category: whether Azure's content filter blocked it, and how severe the content was. */
export type ContentFilterResult = Record<string, { filtered?: boolean; severity?: string; detected?: boolean } | undefined>;

export interface AzureErrorBody {
  error?: {
    code?: string | number | null;
    message?: string;
    param?: string | null;
    type?: string | null;
    status?: number;
    innererror?: { code?: string; content_filter_result?: ContentFilterResult } | null;
  };
}

/** POST {authority}/{tenant}/oauth2/v2.0/token (client credentials). */
export interface EntraTokenResponse {
  token_type?: string;
  expires_in?: number | string;
  access_token?: string;
  error?: string;
  error_description?: string;
}
