// Load shedding through a real hoosh ([server] max_in_flight / max_queued): with the slots taken by
// slow calls, one more request is refused at once, on every edge, with what a client needs to retry.
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Role } from "../gen/ts/hoosh/v1/chat_pb.js";
import { InferenceService } from "../gen/ts/hoosh/v1/inference_pb.js";
import { startFakeOpenAI, type FakeOpenAI } from "./fakes/spawn.js";
import { eventually } from "./accounting/helpers.js";
import { startHoosh, type Hoosh } from "./harness/hoosh.js";

let fake: FakeOpenAI;
let hoosh: Hoosh;
beforeAll(async () => {
  fake = await startFakeOpenAI({ slowMs: 4000 });
  hoosh = await startHoosh(`
[server]
bind = "127.0.0.1"
max_in_flight = 2
max_queued = 0

[cache]
mode = "off"

[[providers]]
name = "fake"
type = "openai"
base_url = "${fake.baseUrl}"
models = ["*"]
timeouts = { connect_ms = 5000, first_byte_ms = 30000, idle_ms = 30000 }
`);
}, 60_000);
afterAll(async () => {
  await hoosh?.stop();
  await fake?.stop();
});

const ask = (model: string) => ({ model, messages: [{ role: Role.USER, content: [{ part: { case: "text" as const, value: "hi" } }] }] });

it("past max_in_flight with no queue: 429 + Retry-After on REST, RESOURCE_EXHAUSTED on gRPC, and the slow calls still finish", { timeout: 60_000 }, async () => {
  const client = createClient(InferenceService, createGrpcTransport({ baseUrl: hoosh.url }));
  const slow = [client.generate(ask("fake-slow-first-byte")), client.generate(ask("fake-slow-first-byte"))];
  await eventually(async () => expect((await fake.events()).filter((e) => e.type === "request").length).toBe(2), 20_000);
  const rest = await fetch(`${hoosh.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }),
  });
  expect(rest.status).toBe(429);
  expect(rest.headers.get("retry-after")).toBe("1");
  expect(((await rest.json()) as { error: { message: string } }).error.message).toMatch(/^server overloaded: 2 requests in flight/);
  const grpc = (await client.generate(ask("gpt-4o-mini")).catch((e: unknown) => e)) as ConnectError;
  expect(grpc.code).toBe(Code.ResourceExhausted);
  expect(grpc.metadata.get("retry-after")).toBe("1");
  // Refused before any work: the upstream saw only the two slow calls.
  expect((await fake.events()).filter((e) => e.type === "request")).toHaveLength(2);
  for (const res of await Promise.all(slow)) expect(res.message).toBeDefined();
  expect((await client.generate(ask("gpt-4o-mini"))).message).toBeDefined();
});
