// A client that cancels mid-stream makes the upstream connection close while the
// upstream is still streaming (the fake counts the chunks it sent before the close),
// through a real hoosh, for the openai adapter (the other adapters' suites check the
// same against their own fakes). The time it took is printed, not asserted.
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Role } from "../gen/ts/hoosh/v1/chat_pb.js";
import { InferenceService } from "../gen/ts/hoosh/v1/inference_pb.js";
import { startFakeOpenAI, type FakeClientClosedEvent, type FakeOpenAI } from "./fakes/spawn.js";
import { fakeProviderConfig, startHoosh, type Hoosh } from "./harness/hoosh.js";

let fake: FakeOpenAI;
let hoosh: Hoosh;
beforeAll(async () => {
  fake = await startFakeOpenAI();
  hoosh = await startHoosh(fakeProviderConfig(fake.baseUrl));
});
afterAll(async () => {
  await hoosh?.stop();
  await fake?.stop();
});

it("openai: cancel mid-stream closes the upstream connection mid-stream", async () => {
  await fake.reset();
  const client = createClient(InferenceService, createGrpcTransport({ baseUrl: hoosh.url }));
  const controller = new AbortController();
  let abortedAt = 0;
  const request = { model: "fake-long-stream", messages: [{ role: Role.USER, content: [{ part: { case: "text" as const, value: "go" } }] }] };
  await expect(
    (async () => {
      let texts = 0;
      for await (const ev of client.generateStream(request, { signal: controller.signal })) {
        if (ev.event.case === "text" && ++texts === 3) {
          abortedAt = Date.now();
          controller.abort();
        }
      }
    })(),
  ).rejects.toThrow();
  const closed = (await fake.waitForEvent((e) => e.type === "client-closed" && e.model === "fake-long-stream")) as FakeClientClosedEvent;
  const latency = closed.at - abortedAt;
  console.log(`openai adapter: upstream closed ${latency} ms after the client's cancel`);
  expect(latency).toBeGreaterThanOrEqual(0);
  expect(closed.afterChunks).toBeLessThan(20);
});
