// Fake Google Vertex AI + the OAuth token endpoint of one service account, run as its own process:
//   node --import tsx test/fakes/vertex-upstream.ts --project P --location L --client-email E
//     --public-key-file PEM [--token-ttl SECONDS] [--port N] [--exit-with-parent]
// The service account's token_uri is http://127.0.0.1:PORT/token.
// Prints exactly one line to stdout once listening: {"port":N,"pid":P} (see run-fake.ts).
import { readFileSync } from "node:fs";
import { runFake } from "./run-fake.js";
import { loadPublicKey } from "./vertex/oauth.js";
import { createFakeVertexServer } from "./vertex/server.js";

runFake(
  ({ slowMs, extra }) =>
    createFakeVertexServer({
      project: extra.project ?? "",
      location: extra.location ?? "",
      account: { clientEmail: extra["client-email"] ?? "", publicKey: loadPublicKey(readFileSync(extra["public-key-file"] ?? "", "utf8")), ttlSeconds: Number(extra["token-ttl"] ?? 3600) },
      slowMs,
    }),
  ["project", "location", "client-email", "public-key-file", "token-ttl"],
);
