// Google's error bodies ({"error":{"code","message","status","details"}}) as
// the Gemini API sends them, and the scripted behaviours picked by model name.
import type { ServerResponse } from "node:http";
import { sendJson } from "../openai/http.js";

export interface GoogleError {
  code: number;
  message: string;
  status: string;
  details?: Record<string, unknown>[];
}

export interface ScriptedError {
  error: GoogleError;
  headers?: Record<string, string>;
}

export function googleError(code: number, status: string, message: string, details?: Record<string, unknown>[]): GoogleError {
  return details ? { code, message, status, details } : { code, message, status };
}

export function sendGoogleError(res: ServerResponse, e: GoogleError, headers: Record<string, string> = {}): void {
  sendJson(res, e.code, { error: e }, headers);
}

/** 400 INVALID_ARGUMENT about the request, with a BadRequest field violation like Google's. */
export function invalidRequest(field: string, description: string): GoogleError {
  return googleError(400, "INVALID_ARGUMENT", description, [
    { "@type": "type.googleapis.com/google.rpc.BadRequest", fieldViolations: [{ field, description }] },
  ]);
}

const INVALID_KEY_MESSAGE = "API key not valid. Please pass a valid API key.";

export const API_KEY_INVALID = googleError(400, "INVALID_ARGUMENT", INVALID_KEY_MESSAGE, [
  { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID", domain: "googleapis.com", metadata: { service: "generativelanguage.googleapis.com" } },
  { "@type": "type.googleapis.com/google.rpc.LocalizedMessage", locale: "en-US", message: INVALID_KEY_MESSAGE },
]);

export const UNREGISTERED_CALLER = googleError(
  403,
  "PERMISSION_DENIED",
  "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
);

export const INTERNAL = googleError(500, "INTERNAL", "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting");

export function modelNotFound(model: string, method: string): GoogleError {
  return googleError(
    404,
    "NOT_FOUND",
    `models/${model} is not found for API version v1beta, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`,
  );
}

export type Script =
  | { kind: "normal" }
  | { kind: "error"; error: GoogleError; headers?: Record<string, string> }
  | { kind: "slow-first-byte" }
  | { kind: "long-stream" }
  | { kind: "stream-error" }
  | { kind: "reset" }
  | { kind: "malformed" }
  | { kind: "no-finish" };

export function scriptFor(model: string, method: string): Script {
  switch (model) {
    case "fake-403":
      return { kind: "error", error: googleError(403, "PERMISSION_DENIED", "You do not have permission to access the requested resource. The caller does not have permission.") };
    case "fake-404":
      return { kind: "error", error: modelNotFound(model, method) };
    case "fake-429":
      return {
        kind: "error",
        error: googleError(
          429,
          "RESOURCE_EXHAUSTED",
          "You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.",
          [
            {
              "@type": "type.googleapis.com/google.rpc.QuotaFailure",
              violations: [
                {
                  quotaMetric: "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                  quotaId: "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
                  quotaValue: "15",
                },
              ],
            },
            {
              "@type": "type.googleapis.com/google.rpc.Help",
              links: [{ description: "Learn more about Gemini API quotas", url: "https://ai.google.dev/gemini-api/docs/rate-limits" }],
            },
            { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "7s" },
          ],
        ),
        headers: { "retry-after": "7" },
      };
    case "fake-500":
      return { kind: "error", error: INTERNAL };
    case "fake-503":
      return { kind: "error", error: googleError(503, "UNAVAILABLE", "The model is overloaded. Please try again later.") };
    case "fake-slow-first-byte":
      return { kind: "slow-first-byte" };
    case "fake-long-stream":
      return { kind: "long-stream" };
    case "fake-stream-error":
      return { kind: "stream-error" };
    case "fake-reset":
      return { kind: "reset" };
    case "fake-malformed":
      return { kind: "malformed" };
    case "fake-no-finish":
      return { kind: "no-finish" };
    default:
      return { kind: "normal" };
  }
}
