// What an API key may do: each RPC and REST path needs one of these (auth/interceptor.ts,
// auth/rest.ts); "admin" grants every scope. Shared by [[keys]] in the config and KeysService.
export const KEY_SCOPES = ["inference", "transcribe", "budgets:read", "budgets:write", "tools", "admin"] as const;

export type KeyScope = (typeof KEY_SCOPES)[number];
