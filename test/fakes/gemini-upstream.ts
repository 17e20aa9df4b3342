// Fake Google Gemini API upstream (generativelanguage v1beta), run as its own process:
//   node --import tsx test/fakes/gemini-upstream.ts [--port N] [--api-key K] [--slow-ms MS] [--exit-with-parent]
// Prints exactly one line to stdout once listening: {"port":N,"pid":P} (see run-fake.ts).
import { createFakeGeminiServer } from "./gemini/server.js";
import { runFake } from "./run-fake.js";

runFake(createFakeGeminiServer);
