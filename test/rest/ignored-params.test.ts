// A field the serving provider cannot honour is named, never dropped silently: in
// x-hoosh-ignored-params on REST (in the edge's own names) and in the gRPC response metadata
// (hoosh.v1 paths). The fake is an OpenAI-type provider, whose API takes no top_k.
import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GenerateRequestSchema, GenerateStreamRequestSchema, InferenceService } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { post, startOpenAIEnv, upstreamRequests, type OpenAIEnv } from "./openai-harness.js";

let env: OpenAIEnv;
beforeAll(async () => {
  env = await startOpenAIEnv();
});
afterAll(async () => {
  await env?.close();
});

describe("x-hoosh-ignored-params", () => {
  it("REST chat: names top_k (not sent upstream) but not seed (sent)", async () => {
    const res = await post(`${env.url}/v1/chat/completions`, { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], top_k: 5, seed: 7 });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-hoosh-ignored-params")).toBe("top_k");
    const reqs = await upstreamRequests(env.fake, "/v1/chat/completions");
    const body = reqs[reqs.length - 1]!.body as Record<string, unknown>;
    expect(body.seed).toBe(7);
    expect(body).not.toHaveProperty("top_k");
  });

  it("REST chat: no header when everything was honoured", async () => {
    const res = await post(`${env.url}/v1/chat/completions`, { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], seed: 7, service_tier: "auto" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-hoosh-ignored-params")).toBeNull();
  });

  it("gRPC (Connect): the response metadata names sampling.top_k, unary and streaming", async () => {
    const client = createClient(InferenceService, createConnectTransport({ baseUrl: env.url, httpVersion: "1.1" }));
    const init = { model: "gpt-4o-mini", messages: [{ role: Role.USER, content: [{ part: { case: "text" as const, value: "hi" } }] }], sampling: { topK: 3 } };
    const req = create(GenerateRequestSchema, init);
    let header: Headers | undefined;
    await client.generate(req, { onHeader: (h) => (header = h) });
    expect(header?.get("x-hoosh-ignored-params")).toBe("sampling.top_k");
    let trailer: Headers | undefined;
    for await (const _ of client.generateStream(create(GenerateStreamRequestSchema, init), { onTrailer: (t) => (trailer = t) })) void _;
    expect(trailer?.get("x-hoosh-ignored-params")).toBe("sampling.top_k");
  });
});
