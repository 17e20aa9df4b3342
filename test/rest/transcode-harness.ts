// The server the REST transcoding tests run against: built in-process (buildApp +
// createRpcHandler with the transcoder in the fallback chain + listen) in front of the fake
// OpenAI upstream process, with a small body limit and a 1,000-token "team" pool.
import { BudgetService } from "../../gen/ts/hoosh/v1/budget_pb.js";
import { HardwareService } from "../../gen/ts/hoosh/v1/hardware_pb.js";
import { InferenceService } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { ModelsService } from "../../gen/ts/hoosh/v1/models_pb.js";
import { TranscribeService } from "../../gen/ts/hoosh/v1/transcribe_pb.js";
import { buildApp } from "../../server/app.js";
import { parseConfig } from "../../server/config/index.js";
import { listen } from "../../server/listen.js";
import { createRpcHandler } from "../../server/rpc-handler.js";
import { chain } from "../../server/rest/handler.js";
import { createTranscoder } from "../../server/rest/transcode/index.js";
import { notFoundFallback } from "../../server/rpc/fallback.js";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/spawn.js";

export const MAX_BODY = 64 * 1024;
export const SERVICES = [InferenceService, ModelsService, TranscribeService, BudgetService, HardwareService];

const config = (baseUrl: string, models: readonly string[]) => `
[server]
bind = "127.0.0.1"
max_body_bytes = ${MAX_BODY}

[router]
max_attempts = 1  # no retry rounds: a 429 answers at once

[[providers]]
name = "fake"
type = "openai"
base_url = "${baseUrl}"
models = ${JSON.stringify(models)}
timeouts = { connect_ms = 1000, first_byte_ms = 2000, idle_ms = 2000 }

[[budgets]]
name = "team"
capacity = 1000
`;

export interface TranscodeServer {
  /** "http://127.0.0.1:PORT" */
  base: string;
  port: number;
  fake: FakeOpenAI;
  stop(): Promise<void>;
}

/** `models`: the fake provider's model patterns. */
export async function startTranscodeServer(models: readonly string[] = ["*", "org/*"]): Promise<TranscodeServer> {
  const fake = await startFakeOpenAI();
  const app = await buildApp(parseConfig(config(fake.baseUrl, models), { source: "test", env: {} }), { source: "test" });
  const transcoder = createTranscoder({ routes: app.routes, services: SERVICES, maxBodyBytes: MAX_BODY });
  const handler = createRpcHandler({ routes: app.routes, fallback: chain([transcoder], notFoundFallback), readMaxBytes: MAX_BODY });
  const listener = await listen(handler, "127.0.0.1", 0);
  return {
    base: `http://127.0.0.1:${listener.port}`,
    port: listener.port,
    fake,
    async stop() {
      await listener.close(0);
      await app.close();
      await fake.stop();
    },
  };
}
