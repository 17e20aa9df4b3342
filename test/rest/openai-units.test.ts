// Pure pieces of the OpenAI edge and the shared REST helpers: error mapping,
// field names, transcript formats, base64 embeddings.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { TranscribeResponseSchema } from "../../gen/ts/hoosh/v1/transcribe_pb.js";
import { httpStatusOf, httpStatusOfCode, retryAfterOf } from "../../server/rest/http-status.js";
import { tooLarge, unsupportedMediaType } from "../../server/rest/edge-errors.js";
import { parseChatRequest } from "../../server/rest/openai/chat-request.js";
import { float32Base64 } from "../../server/rest/openai/embeddings.js";
import { openAIParam, renderOpenAIError } from "../../server/rest/openai/errors.js";
import { toSrt, toVtt } from "../../server/rest/openai/transcription-response.js";

describe("error mapping", () => {
  it.each([
    [Code.InvalidArgument, 400],
    [Code.Unauthenticated, 401],
    [Code.PermissionDenied, 403],
    [Code.NotFound, 404],
    [Code.ResourceExhausted, 429],
    [Code.Canceled, 499],
    [Code.Unimplemented, 501],
    [Code.Unavailable, 503],
    [Code.DeadlineExceeded, 504],
    [Code.Internal, 500],
    [Code.Unknown, 500],
  ])("code %i → HTTP %i", (code, status) => {
    expect(httpStatusOfCode(code)).toBe(status);
    expect(httpStatusOf(new ConnectError("x", code))).toBe(status);
    expect(renderOpenAIError(new ConnectError("x", code)).status).toBe(status);
  });

  it("sends Retry-After from the error's metadata, 1 by default", () => {
    const withHeader = new ConnectError("slow down", Code.ResourceExhausted, new Headers({ "retry-after": "2.5" }));
    expect(renderOpenAIError(withHeader).headers).toEqual({ "retry-after": "3" });
    expect(renderOpenAIError(new ConnectError("slow down", Code.ResourceExhausted)).headers).toEqual({});
    const date = "Wed, 21 Oct 2037 07:28:00 GMT";
    expect(retryAfterOf(new ConnectError("x", Code.ResourceExhausted, new Headers({ "retry-after": date })))).toBe(date);
  });

  it("renames the core's proto field names to OpenAI's", () => {
    expect(openAIParam("sampling.max_tokens")).toBe("max_tokens");
    expect(openAIParam("inputs[3]")).toBe("input[3]");
    expect(openAIParam("messages[1].tool_calls[0].name")).toBe("messages[1].tool_calls[0].function.name");
    expect(openAIParam("tool_choice.function_name")).toBe("tool_choice.function.name");
    expect(openAIParam("messages[0].content[2].image.mime_type")).toBe("messages[0].content[2].image_url.url");
    expect(openAIParam("config.language")).toBe("language");
    expect(openAIParam("config.encoding")).toBe("file");
    expect(openAIParam("audio")).toBe("file");
    const mapped = renderOpenAIError(new ConnectError("sampling.stop[1]: is empty", Code.InvalidArgument));
    expect(mapped.body.error).toEqual({ message: "stop[1]: is empty", type: "invalid_request_error", param: "stop[1]", code: "invalid_value" });
  });

  it("gives edge errors their own HTTP status: 413 over the size cap (not 429), 415", () => {
    const big = renderOpenAIError(tooLarge(10));
    expect(big.status).toBe(413);
    expect(big.headers).toEqual({});
    expect(big.body.error.code).toBe("request_too_large");
    expect(renderOpenAIError(unsupportedMediaType("text/plain", "send JSON")).status).toBe(415);
  });

  it("answers 500 server_error for errors that are not ConnectErrors", () => {
    const mapped = renderOpenAIError(new Error("boom"));
    expect(mapped.status).toBe(500);
    expect(mapped.body.error.type).toBe("server_error");
  });
});

describe("chat request translation", () => {
  it("maps roles, parts, tools and sampling once into hoosh.v1", () => {
    const { request, stream, includeUsage } = parseChatRequest({
      model: "m",
      messages: [
        { role: "developer", content: "rules" },
        { role: "user", content: [{ type: "input_audio", input_audio: { data: "AAEC", format: "wav" } }] },
      ],
      tools: [{ type: "function", function: { name: "f", parameters: { type: "object" } } }],
      tool_choice: { type: "function", function: { name: "f" } },
      max_tokens: 10,
      max_completion_tokens: 20,
      seed: 7,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(stream && includeUsage).toBe(true);
    expect(request.messages[0]!.role).toBe(1);
    const audio = request.messages[1]!.content[0]!.part;
    expect(audio.case).toBe("audio");
    if (audio.case === "audio") expect([audio.value.format, ...audio.value.data]).toEqual(["wav", 0, 1, 2]);
    expect(request.toolChoice?.choice).toEqual({ case: "functionName", value: "f" });
    expect(request.sampling).toMatchObject({ maxTokens: 20, seed: 7n });
    expect(request.sampling?.temperature).toBeUndefined();
  });
});

describe("transcript formats", () => {
  const res = create(TranscribeResponseSchema, {
    text: "one two",
    durationSeconds: 3725.5,
    segments: [
      { startSeconds: 0, endSeconds: 1.25, text: " one" },
      { startSeconds: 3723.004, endSeconds: 3725.5, text: "two " },
    ],
  });

  it("writes SRT and WebVTT cues with hours and milliseconds", () => {
    expect(toSrt(res)).toBe("1\n00:00:00,000 --> 00:00:01,250\none\n\n2\n01:02:03,004 --> 01:02:05,500\ntwo\n\n");
    expect(toVtt(res)).toBe("WEBVTT\n\n00:00:00.000 --> 00:00:01.250\none\n\n01:02:03.004 --> 01:02:05.500\ntwo\n\n");
  });

  it("makes one cue over the whole audio when there are no segments", () => {
    expect(toSrt(create(TranscribeResponseSchema, { text: "all of it", durationSeconds: 2 }))).toBe("1\n00:00:00,000 --> 00:00:02,000\nall of it\n\n");
  });
});

describe("base64 embeddings", () => {
  it("is little-endian float32", () => {
    expect(float32Base64([1, -2])).toBe(Buffer.from([0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]).toString("base64"));
  });
});
