// Example: one chat turn through hoosh, unary or streaming.
// node --import tsx clients/ts/examples/generate.ts [--stream] MODEL PROMPT
import { Role } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import { createHooshClient, toHooshError } from "../src/node.js";

const args = process.argv.slice(2);
const stream = args[0] === "--stream";
const [model = "gpt-4o-mini", prompt = "Say hello"] = stream ? args.slice(1) : args;
const client = createHooshClient({ baseUrl: process.env.HOOSH_URL ?? "http://127.0.0.1:8088", apiKey: process.env.HOOSH_API_KEY });
const request = { model, messages: [{ role: Role.USER, content: [{ part: { case: "text" as const, value: prompt } }] }] };

try {
  if (stream) {
    for await (const ev of client.inference.generateStream(request)) {
      if (ev.event.case === "text") process.stdout.write(ev.event.value.text);
      if (ev.event.case === "end") console.log(`\n[${ev.event.value.usage?.outputTokens} output tokens]`);
    }
  } else {
    const res = await client.inference.generate(request);
    console.log(res.message?.content.map((p) => (p.part.case === "text" ? p.part.value : "")).join(""));
  }
} catch (err) {
  const e = toHooshError(err);
  console.error(`${e.codeName}${e.field ? ` (field ${e.field})` : ""}: ${e.message}`);
  process.exit(1);
}
