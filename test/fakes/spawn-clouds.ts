// Starts the cloud fakes (Azure OpenAI, Amazon Bedrock, Google Vertex AI) as their own processes.
import { fileURLToPath } from "node:url";
import type { FakeEvent } from "./openai/events.js";
import { startFake, type FakeStartOptions, type FakeUpstream } from "./spawn.js";
import type { FakeBedrockEvent } from "./bedrock/events.js";
import type { FakeVertexEvent } from "./vertex/events.js";

const script = (name: string) => fileURLToPath(new URL(`./${name}-upstream.ts`, import.meta.url));

export type FakeAzure = FakeUpstream<FakeEvent>;
/** baseUrl is the resource endpoint (as https://NAME.openai.azure.com); its Entra authority is the same origin. */
export function startFakeAzure(opts: FakeStartOptions = {}): Promise<FakeAzure> {
  return startFake<FakeEvent>("fake-azure", script("azure"), "", opts);
}

export type FakeBedrock = FakeUpstream<FakeBedrockEvent>;
export function startFakeBedrock(opts: FakeStartOptions = {}): Promise<FakeBedrock> {
  return startFake<FakeBedrockEvent>("fake-bedrock", script("bedrock"), "", opts);
}

export type FakeVertex = FakeUpstream<FakeVertexEvent>;
export function startFakeVertex(opts: FakeStartOptions = {}): Promise<FakeVertex> {
  return startFake<FakeVertexEvent>("fake-vertex", script("vertex"), "", opts);
}
