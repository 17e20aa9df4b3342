// What the provider e2e tests here share: a hoosh process with a Connect
// client, the config head they all use (loopback, one attempt, no fallback:
// the error mapping is under test, not the retry policy), and small builders.
import { createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { InferenceService } from "../../gen/ts/hoosh/v1/inference_pb.js";
import type { FakeUpstream } from "../fakes/spawn.js";
import { startHoosh, type Hoosh } from "../harness/hoosh.js";

export const E2E_HEAD = `
[server]
bind = "127.0.0.1"
shutdown_grace_ms = 1000

[router]
max_attempts = 1
fallback = false
`;

/** Short timeouts and a breaker that never opens, for providers the tests fault on purpose. */
export const FAULTS_EXPECTED = `timeouts = { connect_ms = 2000, first_byte_ms = 5000, idle_ms = 5000 }
breaker = { failures = 1000 }`;

export interface E2E {
  hoosh: Hoosh;
  client: Client<typeof InferenceService>;
}

/** hoosh with E2E_HEAD plus `providers`, and a Connect client to it. */
export async function startE2E(providers: string, env?: NodeJS.ProcessEnv): Promise<E2E> {
  const hoosh = await startHoosh(`${E2E_HEAD}\n${providers}`, { env });
  return { hoosh, client: createClient(InferenceService, createConnectTransport({ baseUrl: hoosh.url, httpVersion: "1.1" })) };
}

/** An openai-type provider serving "<name>/*" models. */
export function openaiProvider(name: string, baseUrl: string, extra = ""): string {
  return `
[[providers]]
name = "${name}"
type = "openai"
base_url = "${baseUrl}"
models = ["${name}/*"]
${FAULTS_EXPECTED}
${extra}
`;
}

export const user = (value: string) => ({ role: Role.USER, content: [{ part: { case: "text" as const, value } }] });

interface ClosedEvent {
  type: string;
  model: string | null;
  at: number;
}

/** When a fake saw the client of a request for `model` go away (every fake logs "client-closed" events). */
export function closedAt(fake: FakeUpstream<unknown>): (model: string) => Promise<number> {
  return async (model) => ((await fake.waitForEvent((e) => (e as ClosedEvent).type === "client-closed" && (e as ClosedEvent).model === model, 5_000)) as ClosedEvent).at;
}
