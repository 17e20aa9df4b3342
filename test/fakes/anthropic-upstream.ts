// Fake Anthropic Messages API upstream, run as its own process:
//   node --import tsx test/fakes/anthropic-upstream.ts [--port N] [--api-key K] [--slow-ms MS] [--exit-with-parent]
// Prints exactly one line to stdout once listening: {"port":N,"pid":P} (see run-fake.ts).
import { createFakeAnthropicServer } from "./anthropic/server.js";
import { runFake } from "./run-fake.js";

runFake(createFakeAnthropicServer);
