// Fake Ollama server (native REST API), run as its own process:
//   node --import tsx test/fakes/ollama-upstream.ts [--port N] [--api-key K] [--slow-ms MS] [--exit-with-parent]
// Prints exactly one line to stdout once listening: {"port":N,"pid":P} (see run-fake.ts).
import { createFakeOllamaServer } from "./ollama/server.js";
import { runFake } from "./run-fake.js";

runFake(createFakeOllamaServer);
