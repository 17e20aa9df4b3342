// Fake Azure OpenAI resource + Microsoft Entra token endpoint, run as its own process:
//   node --import tsx test/fakes/azure-upstream.ts [--port N] [--api-key K]
//     [--tenant T --client-id C --client-secret S [--token-ttl SECONDS]] [--exit-with-parent]
// Prints exactly one line to stdout once listening: {"port":N,"pid":P} (see run-fake.ts).
import { createFakeAzureServer } from "./azure/server.js";
import { runFake } from "./run-fake.js";

runFake(
  ({ apiKey, slowMs, extra }) =>
    createFakeAzureServer({
      apiKey,
      slowMs,
      entra: extra.tenant && extra["client-id"] && extra["client-secret"]
        ? { tenant: extra.tenant, clientId: extra["client-id"], clientSecret: extra["client-secret"], ttlSeconds: Number(extra["token-ttl"] ?? 3600) }
        : undefined,
    }),
  ["tenant", "client-id", "client-secret", "token-ttl"],
);
