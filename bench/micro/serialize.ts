// Micro benchmark: serializing a 10-message GenerateRequest to protobuf binary
// (protobuf-es toBinary, what a gRPC call writes), beside the Rust original's
// published median (prost encode of the same request: 820 ns). Also the
// reverse (fromBinary) and the byte size, for context.
// Run: node --import tsx bench/micro/serialize.ts
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { GenerateRequestSchema } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { measure } from "./measure.js";

/** Calls per round (bench/micro/measure.ts). */
const ITERATIONS = 50_000;

const text = (role: Role, value: string) => ({ role, content: [{ part: { case: "text" as const, value } }] });
const turns = [
  "What is the capital of France?", "Paris.",
  "And of Germany? Please also give its population.", "Berlin, about 3.7 million people.",
  "Which of the two is larger by area?", "Berlin covers about 892 km², Paris about 105 km².",
  "Summarise that in one sentence.", "Berlin is larger than Paris in both area and population.",
  "Thanks! One more: what river runs through Paris?",
];
const req = create(GenerateRequestSchema, {
  model: "gpt-4o-mini",
  messages: [text(Role.SYSTEM, "You are a helpful assistant. Answer briefly and precisely."), ...turns.map((t, i) => text(i % 2 === 0 ? Role.USER : Role.ASSISTANT, t))],
  sampling: { maxTokens: 256, temperature: 0.2 },
  metadata: { team: "bench" },
});
const bytes = toBinary(GenerateRequestSchema, req);
if (req.messages.length !== 10) throw new Error("expected 10 messages");

const rows = [
  ["serialize GenerateRequest, 10 messages (toBinary)", measure(() => toBinary(GenerateRequestSchema, req), ITERATIONS), 820],
  ["parse the same bytes (fromBinary), for context", measure(() => fromBinary(GenerateRequestSchema, bytes), ITERATIONS), undefined],
] as const;

console.log(`serialize micro benchmark: ${req.messages.length} messages, ${bytes.length} bytes (node ${process.version}, ${new Date().toISOString().slice(0, 10)})`);
console.log("| operation | hoosh median | Rust original median | ratio |\n|---|---|---|---|");
for (const [name, ns, rust] of rows) console.log(`| ${name} | ${ns.toFixed(0)} ns | ${rust === undefined ? "—" : `${rust} ns`} | ${rust === undefined ? "—" : `${(ns / rust).toFixed(1)}×`} |`);
