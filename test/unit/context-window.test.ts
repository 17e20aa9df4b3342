// Prompt plus max_tokens against the model's window: refused naming the field and the numbers,
// clamped where configured, unchecked when off or when the window is unknown.
import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { GenerateRequestSchema } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { approximateTokens, Tokenizer } from "../../server/core/accounting/tokenizer.js";
import { ContextWindow, type WindowPolicy } from "../../server/core/context-window.js";
import { ModelMetadata } from "../../server/core/model-metadata.js";
import { caught } from "./helpers.js";

// tiny-*: a 100-token window; counted as characters / 4 (no known tokenizer).
const metadata = new ModelMetadata({ models: [{ match: "tiny-*", kind: "chat", context_window: 100 }] });

function request(model: string, prompt: string, maxTokens?: number) {
  return create(GenerateRequestSchema, {
    model,
    messages: [{ role: Role.USER, content: [{ part: { case: "text", value: prompt } }] }],
    sampling: maxTokens === undefined ? undefined : { maxTokens },
  });
}

let counted = 0;
const window = (policy: WindowPolicy) =>
  new ContextWindow(
    metadata,
    async () => (text) => {
      counted++;
      return approximateTokens(text);
    },
    policy,
  );

describe("refuse (default)", () => {
  it("passes a request that fits without tokenizing it", async () => {
    counted = 0;
    await window("refuse").fit(request("tiny-1", "short prompt", 10));
    expect(counted).toBe(0);
  });

  it("refuses prompt + max_tokens over the window, naming sampling.max_tokens and what is allowed", async () => {
    // 200 characters: 50 tokens + 6 framing = 56; 56 + 60 > 100.
    const err = await caught(() => window("refuse").fit(request("tiny-1", "x".repeat(200), 60)));
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.rawMessage).toBe('sampling.max_tokens: 60 plus the prompt\'s ~56 tokens exceeds model "tiny-1"\'s context window of 100 tokens; allowed: at most 44');
  });

  it("refuses a prompt that alone fills the window, naming messages", async () => {
    const err = await caught(() => window("refuse").fit(request("tiny-1", "x".repeat(400))));
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.rawMessage).toMatch(/^messages: the prompt is about 106 tokens; model "tiny-1" has a context window of 100 tokens/);
  });

  it("does not check models whose window is unknown", async () => {
    await window("refuse").fit(request("other-model", "x".repeat(100_000), 1_000_000));
  });
});

describe("clamp and off", () => {
  it("clamp lowers max_tokens to what the window leaves", async () => {
    const req = request("tiny-1", "x".repeat(200), 60);
    await window("clamp").fit(req);
    expect(req.sampling?.maxTokens).toBe(44);
  });

  it("clamp still refuses a prompt that alone does not fit", async () => {
    expect((await caught(() => window("clamp").fit(request("tiny-1", "x".repeat(400), 10)))).code).toBe(Code.InvalidArgument);
  });

  it("off sends anything upstream", async () => {
    const req = request("tiny-1", "x".repeat(400), 60);
    await window("off").fit(req);
    expect(req.sampling?.maxTokens).toBe(60);
  });
});

describe("the shipped table with the real tokenizer", () => {
  it("counts an OpenAI model's prompt exactly before refusing", async () => {
    const tokenizer = new Tokenizer();
    const real = new ContextWindow(new ModelMetadata(), (m) => tokenizer.counter(m), "refuse");
    // gpt-4: 8192 tokens. "hello " x 3000 is ~3000 tokens (upper bound 54000 would refuse on its own).
    await real.fit(request("gpt-4", "hello ".repeat(3000), 4000));
    const err = await caught(() => real.fit(request("gpt-4", "hello ".repeat(3000), 6000)));
    expect(err.rawMessage).toMatch(/^sampling\.max_tokens: 6000 plus the prompt's ~30\d\d tokens exceeds model "gpt-4"'s context window of 8192 tokens/);
  });
});
