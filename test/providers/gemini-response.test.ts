// Gemini answers and error bodies -> hoosh.v1 (messages, finish reasons, usage, safety blocks, codes).
import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { FinishReason } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { geminiHttpError, googleError } from "../../server/providers/gemini/errors.js";
import { fromBatchEmbedResponse, fromFinishReason, fromGenerateContentResponse, fromUsage } from "../../server/providers/gemini/response.js";
import type { GenerateContentResponse } from "../../server/providers/gemini/wire.js";
import { caughtSync, expectError } from "../unit/helpers.js";

const answer = (parts: object[], finishReason = "STOP", extra: object = {}): GenerateContentResponse => ({
  candidates: [{ content: { role: "model", parts }, finishReason, index: 0 }],
  usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 4, totalTokenCount: 14 },
  modelVersion: "gemini-2.0-flash-001",
  responseId: "resp-1",
  ...extra,
});

describe("fromGenerateContentResponse", () => {
  it("joins text parts, leaves thoughts out of the text, keeps id and model", () => {
    const res = fromGenerateContentResponse("g", answer([{ text: "pondering", thought: true }, { text: "Hello" }, { text: " world" }]));
    expect(res.id).toBe("resp-1");
    expect(res.model).toBe("gemini-2.0-flash-001");
    expect(res.message?.content.map((p) => p.part.value)).toEqual(["Hello world"]);
    expect(res.finishReason).toBe(FinishReason.STOP);
    expect(res.usage).toMatchObject({ inputTokens: 10, outputTokens: 4 });
  });

  it("function calls -> tool calls with stable ids call_<n> (Gemini's own id when given), finish TOOL_CALLS", () => {
    const res = fromGenerateContentResponse(
      "g",
      answer([
        { text: "Let me check." },
        { functionCall: { name: "get_weather", args: { city: "Paris" } } },
        { functionCall: { name: "ping" } },
        { functionCall: { id: "fc-7", name: "x", args: {} } },
      ]),
    );
    expect(res.message?.toolCalls.map(({ id, name, arguments: a }) => ({ id, name, a }))).toEqual([
      { id: "call_0", name: "get_weather", a: '{"city":"Paris"}' },
      { id: "call_1", name: "ping", a: "{}" },
      { id: "fc-7", name: "x", a: "{}" },
    ]);
    expect(res.finishReason).toBe(FinishReason.TOOL_CALLS);
  });

  it("maps finish reasons", () => {
    expect(fromFinishReason("STOP")).toBe(FinishReason.STOP);
    expect(fromFinishReason("MAX_TOKENS")).toBe(FinishReason.LENGTH);
    for (const r of ["SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII"]) expect(fromFinishReason(r), r).toBe(FinishReason.CONTENT_FILTER);
    for (const r of ["OTHER", "MALFORMED_FUNCTION_CALL", "constructor", undefined]) expect(fromFinishReason(r), String(r)).toBe(FinishReason.UNSPECIFIED);
    // Partial text cut by a filter is an answer with CONTENT_FILTER, not an error.
    expect(fromGenerateContentResponse("g", answer([{ text: "Once upon" }], "RECITATION")).finishReason).toBe(FinishReason.CONTENT_FILTER);
  });

  it("usage: prompt (+ tool-use prompt) in, cached, candidates + thoughts out, thoughts as reasoning, audio", () => {
    expect(
      fromUsage({
        promptTokenCount: 100,
        toolUsePromptTokenCount: 5,
        cachedContentTokenCount: 40,
        candidatesTokenCount: 20,
        thoughtsTokenCount: 30,
        promptTokensDetails: [{ modality: "TEXT", tokenCount: 90 }, { modality: "AUDIO", tokenCount: 10 }],
        candidatesTokensDetails: [{ modality: "AUDIO", tokenCount: 2 }],
      }),
    ).toMatchObject({ inputTokens: 105, cachedInputTokens: 40, outputTokens: 50, reasoningTokens: 30, audioTokens: 12 });
    expect(fromUsage(undefined)).toMatchObject({ inputTokens: 0, outputTokens: 0 });
  });

  it("a blocked prompt is InvalidArgument naming the block reason and the ratings", () => {
    const err = caughtSync(() =>
      fromGenerateContentResponse("gem", {
        promptFeedback: {
          blockReason: "SAFETY",
          safetyRatings: [
            { category: "HARM_CATEGORY_HARASSMENT", probability: "NEGLIGIBLE" },
            { category: "HARM_CATEGORY_DANGEROUS_CONTENT", probability: "HIGH", blocked: true },
          ],
        },
        usageMetadata: { promptTokenCount: 5, totalTokenCount: 5 },
      }),
    );
    expectError(err, Code.InvalidArgument, 'provider "gem" blocked the prompt (blockReason SAFETY; safety ratings: HARM_CATEGORY_DANGEROUS_CONTENT=HIGH (blocked))');
  });

  it("an answer withheld by a filter with no content is FailedPrecondition naming the category", () => {
    const err = caughtSync(() =>
      fromGenerateContentResponse("gem", {
        candidates: [{ finishReason: "SAFETY", index: 0, safetyRatings: [{ category: "HARM_CATEGORY_HARASSMENT", probability: "MEDIUM", blocked: true }] }],
      }),
    );
    expectError(err, Code.FailedPrecondition, 'provider "gem" withheld the answer (finishReason SAFETY; safety ratings: HARM_CATEGORY_HARASSMENT=MEDIUM (blocked))');
  });

  it("no candidate at all (and no block) is Internal", () => {
    expectError(caughtSync(() => fromGenerateContentResponse("g", { usageMetadata: {} })), Code.Internal, 'provider "g" answered without any candidate');
  });

  it("embeddings keep input order; a count mismatch is Internal", () => {
    const res = fromBatchEmbedResponse("g", "text-embedding-004", 2, { embeddings: [{ values: [0.5, 0.25] }, { values: [1] }] });
    expect(res.embeddings.map((e) => [e.index, e.values])).toEqual([[0, [0.5, 0.25]], [1, [1]]]);
    expect(res.model).toBe("text-embedding-004");
    expectError(caughtSync(() => fromBatchEmbedResponse("g", "m", 2, { embeddings: [{ values: [1] }] })), Code.Internal, 'provider "g" answered 1 embeddings for 2 inputs');
  });
});

describe("geminiHttpError", () => {
  const body = (status: string, code: number, details?: object[]) => JSON.stringify({ error: { code, message: `${status} happened`, status, ...(details ? { details } : {}) } });

  it("uses Google's status (a gRPC code name) directly", () => {
    const cases: [string, number, Code][] = [
      ["INVALID_ARGUMENT", 400, Code.InvalidArgument],
      ["FAILED_PRECONDITION", 400, Code.FailedPrecondition],
      ["UNAUTHENTICATED", 401, Code.Unauthenticated],
      ["PERMISSION_DENIED", 403, Code.PermissionDenied],
      ["NOT_FOUND", 404, Code.NotFound],
      ["RESOURCE_EXHAUSTED", 429, Code.ResourceExhausted],
      ["INTERNAL", 500, Code.Internal],
      ["UNAVAILABLE", 503, Code.Unavailable],
      ["DEADLINE_EXCEEDED", 504, Code.DeadlineExceeded],
    ];
    for (const [status, http, code] of cases) {
      expectError(geminiHttpError("g", http, body(status, http)), code, `provider "g" answered HTTP ${http}: ${status} happened (status=${status})`);
    }
  });

  it("API_KEY_INVALID (a 400 INVALID_ARGUMENT) is Unauthenticated", () => {
    const err = geminiHttpError("g", 400, body("INVALID_ARGUMENT", 400, [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID", domain: "googleapis.com" }]));
    expectError(err, Code.Unauthenticated, 'provider "g" answered HTTP 400: INVALID_ARGUMENT happened (status=INVALID_ARGUMENT, reason=API_KEY_INVALID)');
  });

  it("keeps Retry-After, else takes RetryInfo.retryDelay", () => {
    const retry = [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "6.2s" }];
    expect(geminiHttpError("g", 429, body("RESOURCE_EXHAUSTED", 429, retry), "9").metadata.get("retry-after")).toBe("9");
    expect(geminiHttpError("g", 429, body("RESOURCE_EXHAUSTED", 429, retry)).metadata.get("retry-after")).toBe("7");
  });

  it("falls back to the HTTP status for unknown statuses and non-JSON bodies", () => {
    expectError(geminiHttpError("g", 503, body("SOMETHING_NEW", 503)), Code.Unavailable, 'provider "g" answered HTTP 503: SOMETHING_NEW happened');
    expectError(geminiHttpError("g", 404, "<html>Not Found</html>"), Code.NotFound, 'provider "g" answered HTTP 404: <html>Not Found</html>');
    expectError(geminiHttpError("g", 502, ""), Code.Unavailable, 'provider "g" answered HTTP 502: (empty body)');
    const wrapped = JSON.stringify([{ error: { code: 400, message: "bad", status: "INVALID_ARGUMENT" } }]);
    expectError(geminiHttpError("g", 400, wrapped), Code.InvalidArgument, 'provider "g" answered HTTP 400: bad');
  });

  it("errors inside a stream keep their code", () => {
    expectError(googleError("g", { code: 500, message: "boom", status: "INTERNAL" }, 0), Code.Internal, 'provider "g" failed mid-stream: boom (status=INTERNAL)');
    expectError(googleError("g", { message: "?" }, 0), Code.Unavailable, 'provider "g" failed mid-stream: ?');
  });
});
