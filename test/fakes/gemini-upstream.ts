// Fake Google Gemini API upstream (generativelanguage v1beta), run as its own process:
//   node --import tsx test/fakes/gemini-upstream.ts [--port N] [--api-key K] [--slow-ms MS] [--exit-with-parent]
// Prints exactly one line to stdout once listening: {"port":N,"pid":P}
import { parseArgs } from "node:util";
import type { AddressInfo } from "node:net";
import { createFakeGeminiServer } from "./gemini/server.js";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    "api-key": { type: "string" },
    "slow-ms": { type: "string", default: "3000" },
    // Exit when stdin closes, so a crashed test runner does not leak this process.
    "exit-with-parent": { type: "boolean", default: false },
  },
});

const server = createFakeGeminiServer({
  ...(values["api-key"] !== undefined ? { apiKey: values["api-key"] } : {}),
  slowMs: Number(values["slow-ms"]),
});

function shutdown(): void {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
if (values["exit-with-parent"]) {
  process.stdin.on("end", shutdown).on("error", shutdown).resume();
}

server.listen(Number(values.port), "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(JSON.stringify({ port, pid: process.pid }) + "\n");
});
