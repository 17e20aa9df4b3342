// `hoosh infer [--server URL] [--stream] [--system TEXT] [--max-tokens N] [--temperature T] MODEL PROMPT`: one chat turn through a running hoosh.
import { FinishReason, Role, type Usage } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { InferenceService } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { parse, UsageError } from "./args.js";
import { CLIENT_OPTIONS, clientFor } from "./client.js";

function usageLine(usage: Usage | undefined, finish: FinishReason, model: string): string {
  const u = usage;
  return `[model=${model} provider=${u?.provider ?? "?"} input_tokens=${u?.inputTokens ?? 0} output_tokens=${u?.outputTokens ?? 0} finish=${FinishReason[finish]}]\n`;
}

export async function infer(args: string[]): Promise<void> {
  const { values, positionals } = parse(
    args,
    { ...CLIENT_OPTIONS, stream: { type: "boolean" }, system: { type: "string" }, "max-tokens": { type: "string" }, temperature: { type: "string" } },
    ["MODEL", "PROMPT"],
  );
  const [model, prompt] = positionals as [string, string];
  let maxTokens: number | undefined;
  if (values["max-tokens"] !== undefined) {
    maxTokens = Number(values["max-tokens"]);
    if (!Number.isInteger(maxTokens) || maxTokens < 1) throw new UsageError(`--max-tokens: ${JSON.stringify(values["max-tokens"])} is not a positive integer`);
  }
  let temperature: number | undefined;
  if (values.temperature !== undefined) {
    temperature = Number(values.temperature);
    if (values.temperature.trim() === "" || !Number.isFinite(temperature) || temperature < 0 || temperature > 2) {
      throw new UsageError(`--temperature: ${JSON.stringify(values.temperature)} is not a number from 0 to 2`);
    }
  }
  const text = (value: string) => [{ part: { case: "text" as const, value } }];
  // A plain init object: Generate and GenerateStream take the same fields.
  const request = {
    model,
    messages: [...(values.system ? [{ role: Role.SYSTEM, content: text(values.system) }] : []), { role: Role.USER, content: text(prompt) }],
    sampling: { maxTokens, temperature },
  };
  const client = clientFor(InferenceService, values);

  if (!values.stream) {
    const res = await client.generate(request);
    const answer = res.message?.content.map((p) => (p.part.case === "text" ? p.part.value : "")).join("") ?? "";
    process.stdout.write(`${answer}\n`);
    for (const call of res.message?.toolCalls ?? []) process.stdout.write(`tool call ${call.name}(${call.arguments})\n`);
    process.stderr.write(usageLine(res.usage, res.finishReason, res.model));
    return;
  }
  let model_ = model;
  for await (const ev of client.generateStream(request)) {
    const e = ev.event;
    if (e.case === "start") model_ = e.value.model || model;
    if (e.case === "text") process.stdout.write(e.value.text);
    if (e.case === "end") {
      process.stdout.write("\n");
      for (const call of e.value.message?.toolCalls ?? []) process.stdout.write(`tool call ${call.name}(${call.arguments})\n`);
      process.stderr.write(usageLine(e.value.usage, e.value.finishReason, model_));
    }
  }
}
