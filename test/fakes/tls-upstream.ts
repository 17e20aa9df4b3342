// The fake OpenAI upstream behind HTTPS, run as its own process, for the
// upstream TLS tests:
//   node --import tsx test/fakes/tls-upstream.ts --cert PEM --key PEM [--client-ca PEM] [--port N] [--exit-with-parent]
// With --client-ca the server requires a client certificate issued by that CA
// (mTLS) and rejects the handshake otherwise. Prints {"port":N,"pid":P} once listening.
import { readFileSync } from "node:fs";
import type { Server } from "node:http";
import { createServer } from "node:https";
import { createFakeOpenAIServer } from "./openai/server.js";
import { runFake } from "./run-fake.js";

runFake(
  ({ apiKey, slowMs, extra }) => {
    const inner = createFakeOpenAIServer({ apiKey, slowMs });
    const clientCa = extra["client-ca"];
    const server = createServer({
      cert: readFileSync(extra.cert ?? "", "utf8"),
      key: readFileSync(extra.key ?? "", "utf8"),
      ...(clientCa ? { ca: readFileSync(clientCa, "utf8"), requestCert: true, rejectUnauthorized: true } : {}),
    });
    // The fake's own request handling, behind TLS.
    server.on("request", (req, res) => inner.emit("request", req, res));
    return server as unknown as Server;
  },
  ["cert", "key", "client-ca"],
);
