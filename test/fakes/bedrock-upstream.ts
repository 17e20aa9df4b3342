// Fake Amazon Bedrock, run as its own process:
//   node --import tsx test/fakes/bedrock-upstream.ts --access-key-id AKID --secret-access-key SECRET
//     [--session-token T] [--region us-east-1] [--port N] [--exit-with-parent]
// Prints exactly one line to stdout once listening: {"port":N,"pid":P} (see run-fake.ts).
import { createFakeBedrockServer } from "./bedrock/server.js";
import { runFake } from "./run-fake.js";

runFake(
  ({ extra }) =>
    createFakeBedrockServer({
      key: { accessKeyId: extra["access-key-id"] ?? "", secretAccessKey: extra["secret-access-key"] ?? "", sessionToken: extra["session-token"] },
      region: extra.region ?? "us-east-1",
    }),
  ["access-key-id", "secret-access-key", "session-token", "region"],
);
