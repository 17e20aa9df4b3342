// POST /v1/embeddings (float and base64) and GET /v1/models[/{id}] through
// the official OpenAI SDK.
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { embed } from "../fakes/openai/embeddings.js";
import { startOpenAIEnv, upstreamRequests, type OpenAIEnv } from "./openai-harness.js";

let env: OpenAIEnv;
beforeAll(async () => {
  env = await startOpenAIEnv();
});
afterAll(async () => {
  await env?.close();
});
beforeEach(async () => {
  await env.fake.reset();
});

const closeTo = (actual: ArrayLike<number>, expected: number[]) => {
  expect(actual.length).toBe(expected.length);
  expected.forEach((v, i) => expect(actual[i]).toBeCloseTo(v, 6));
};

describe("embeddings", () => {
  it("returns float vectors in input order with usage", async () => {
    const res = await env.client.embeddings.create({ model: "text-embedding-3-small", input: ["alpha", "beta gamma"], encoding_format: "float", dimensions: 16 });
    expect(res.object).toBe("list");
    expect(res.model).toBe("text-embedding-3-small");
    expect(res.data.map((d) => [d.object, d.index])).toEqual([["embedding", 0], ["embedding", 1]]);
    closeTo(res.data[0]!.embedding, embed("alpha", 16));
    closeTo(res.data[1]!.embedding, embed("beta gamma", 16));
    expect(res.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
    const [upstream] = await upstreamRequests(env.fake, "/v1/embeddings");
    expect(upstream!.body).toMatchObject({ input: ["alpha", "beta gamma"], dimensions: 16 });
  });

  it("encodes base64 as little-endian float32 (the SDK's default, decoded by the SDK)", async () => {
    // Without encoding_format the SDK asks for base64 and decodes it into float32 values.
    const res = await env.client.embeddings.create({ model: "text-embedding-3-small", input: "a single string" });
    closeTo(res.data[0]!.embedding, embed("a single string"));

    const raw = await env.client.embeddings.create({ model: "text-embedding-3-small", input: "a single string", encoding_format: "base64" });
    const encoded = raw.data[0]!.embedding as unknown as string;
    expect(typeof encoded).toBe("string");
    const bytes = Buffer.from(encoded, "base64");
    const values = Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
    expect(values).toEqual(embed("a single string").map(Math.fround));
  });

  it("rejects token arrays as unsupported", async () => {
    const err = await env.client.embeddings.create({ model: "text-embedding-3-small", input: [1, 2, 3] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).message).toMatch(/token arrays are not supported/);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("input");
  });
});

describe("models", () => {
  it("lists the literal model ids and the upstream's matching ones, owned by the provider", async () => {
    const page = await env.client.models.list();
    const ids = page.data.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(["gpt-4o-mini", "gpt-4o", "fake-model", "text-embedding-3-small"]));
    expect(new Set(ids).size).toBe(ids.length);
    for (const m of page.data) expect(m).toEqual({ id: m.id, object: "model", created: 0, owned_by: "fake" });
  });

  it("retrieves one model, including ids with a slash", async () => {
    expect(await env.client.models.retrieve("gpt-4o-mini")).toEqual({ id: "gpt-4o-mini", object: "model", created: 0, owned_by: "fake" });
    // The SDK encodes the "/" as %2F; a raw path with a literal "/" works too.
    expect((await env.client.models.retrieve("acme/model-1")).id).toBe("acme/model-1");
    const raw = await fetch(`${env.url}/v1/models/acme/model-2`);
    expect(raw.status).toBe(200);
    expect(((await raw.json()) as { id: string }).id).toBe("acme/model-2");
  });

  it("answers 404 model_not_found for a model no provider serves", async () => {
    const err = await env.client.models.retrieve("llama-unknown").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect((err as InstanceType<typeof OpenAI.NotFoundError>).code).toBe("model_not_found");
  });
});
