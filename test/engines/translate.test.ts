// hoosh.v1 requests → engine options for the local provider (no model needed).
import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { MessageSchema, ResponseFormat_Type, Role, ToolChoice_Mode } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { toHistory } from "../../server/providers/local/history.js";
import { SAMPLING_DEFAULTS, toEngineRequest } from "../../server/providers/local/request.js";
import { caughtSync, expectError } from "../unit/helpers.js";
import { chat } from "./helpers.js";

const text = (role: Role, value: string, extra = {}) => create(MessageSchema, { role, content: value ? [{ part: { case: "text", value } }] : [], ...extra });

describe("toHistory", () => {
  it("maps system, user and assistant; a tool result joins the call it answers", () => {
    const history = toHistory(
      [
        text(Role.SYSTEM, "be brief"),
        text(Role.USER, "weather?"),
        text(Role.ASSISTANT, "", { toolCalls: [{ id: "c1", name: "get_weather", arguments: '{"city":"Paris"}' }] }),
        text(Role.TOOL, '{"temp":20}', { toolCallId: "c1" }),
        text(Role.ASSISTANT, "20 degrees"),
        text(Role.USER, "thanks"),
      ],
      "m",
    );
    expect(history).toEqual([
      { type: "system", text: "be brief" },
      { type: "user", text: "weather?" },
      { type: "model", response: [{ type: "functionCall", name: "get_weather", params: { city: "Paris" }, result: { temp: 20 } }] },
      { type: "model", response: ["20 degrees"] },
      { type: "user", text: "thanks" },
    ]);
  });

  it("a tool message answering no earlier call → InvalidArgument", () => {
    const err = caughtSync(() => toHistory([text(Role.USER, "x"), text(Role.TOOL, "r", { toolCallId: "nope" })], "m"));
    expectError(err, Code.InvalidArgument, 'messages[1].tool_call_id: "nope" does not answer a tool call of an earlier assistant message');
  });

  it("tool call arguments that are not JSON → InvalidArgument", () => {
    const err = caughtSync(() => toHistory([text(Role.ASSISTANT, "", { toolCalls: [{ id: "c", name: "f", arguments: "{oops" }] })], "m"));
    expectError(err, Code.InvalidArgument, "messages[0].tool_calls[0].arguments: is not valid JSON");
  });
});

describe("toEngineRequest", () => {
  it("applies llama.cpp's sampling defaults and the provider's output limit", () => {
    const req = chat("hi");
    req.sampling = undefined;
    const out = toEngineRequest(req, "m", 512);
    expect(out.sampling).toMatchObject(SAMPLING_DEFAULTS);
    expect(out.sampling.seed).toBeUndefined();
    expect(out.maxTokens).toBe(512);
    expect(out.format).toEqual({ kind: "text" });
    expect(out.functions).toBeUndefined();
  });

  it("a model's configured temperature applies only when the request sets none", () => {
    const req = chat("hi");
    req.sampling = undefined;
    expect(toEngineRequest(req, "m", 512, 0.2).sampling.temperature).toBe(0.2);
    expect(toEngineRequest(chat("hi", { temperature: 1 }), "m", 512, 0.2).sampling.temperature).toBe(1);
    expect(toEngineRequest(chat("hi", { temperature: 0 }), "m", 512, 0.2).sampling.temperature).toBe(0);
  });

  it("wraps seeds to uint32 and passes stop sequences", () => {
    const out = toEngineRequest(chat("hi", { seed: -1n, stop: ["\n\n"] }), "m", 512);
    expect(out.sampling.seed).toBe(2 ** 32 - 1);
    expect(out.stop).toEqual(["\n\n"]);
  });

  it("penalties outside llama.cpp's 0..1 → InvalidArgument", () => {
    expectError(caughtSync(() => toEngineRequest(chat("hi", { presencePenalty: -1 }), "m", 512)), Code.InvalidArgument, "sampling.presence_penalty: -1 is out of the local engine's range; allowed: 0..1");
  });

  it("response formats become grammars; tools become functions; the two cannot be combined", () => {
    expect(toEngineRequest(chat("hi", {}, { responseFormat: { type: ResponseFormat_Type.JSON_OBJECT } }), "m", 9).format).toEqual({ kind: "json" });
    const tools = [{ name: "get_time", description: "the time" }, { name: "add", parameters: { type: "object", properties: { a: { type: "number" } } } }];
    expect(toEngineRequest(chat("hi", {}, { tools }), "m", 9).functions).toEqual({
      get_time: { description: "the time" },
      add: { params: { type: "object", properties: { a: { type: "number" } } } },
    });
    expect(toEngineRequest(chat("hi", {}, { tools, toolChoice: { choice: { case: "mode", value: ToolChoice_Mode.NONE } } }), "m", 9).functions).toBeUndefined();
    const err = caughtSync(() => toEngineRequest(chat("hi", {}, { tools, responseFormat: { type: ResponseFormat_Type.JSON_OBJECT } }), "m", 9));
    expectError(err, Code.InvalidArgument, 'response_format: cannot be combined with tools on local model "m"');
  });

  it("a named tool_choice cannot be forced → FailedPrecondition", () => {
    const err = caughtSync(() => toEngineRequest(chat("hi", {}, { tools: [{ name: "f" }], toolChoice: { choice: { case: "functionName", value: "f" } } }), "m", 9));
    expectError(err, Code.FailedPrecondition, 'tool_choice: local model "m" cannot be forced to call a tool (function_name "f")');
  });
});
