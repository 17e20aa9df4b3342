// A real `hoosh serve` with one config admin key and a store, for the KeysService, request log and
// CLI tests; plus Connect clients that send a given API key.
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import type { DescService } from "@bufbuild/protobuf";
import { Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { fakeProviderConfig } from "../harness/hoosh.js";
import { sha256 } from "../auth/helpers.js";

export const ADMIN_KEY = "hk_test_admin_keys_0123456789abcdef";
export const CONFIG_APP_KEY = "hk_test_configapp_0123456789abcdef";

/** The config: a fake upstream, the admin and an app key in [[keys]], and the given [store]/[log] tables. */
export function keyedConfig(upstreamUrl: string, extra = ""): string {
  return fakeProviderConfig(
    upstreamUrl,
    `
[[keys]]
id = "root"
hash = "${sha256(ADMIN_KEY)}"
scopes = ["admin", "inference", "budgets:write"]
pools = ["*"]

[[keys]]
id = "config-app"
hash = "${sha256(CONFIG_APP_KEY)}"
scopes = ["inference"]
${extra}
`,
  );
}

export interface Clients {
  sessions: Http2SessionManager;
  client<S extends DescService>(service: S, key?: string): Client<S>;
}

/** gRPC clients over one HTTP/2 session, each sending its key as a Bearer token. */
export function clients(baseUrl: string): Clients {
  const sessions = new Http2SessionManager(baseUrl);
  return {
    sessions,
    client(service, key) {
      const transport = createGrpcTransport({
        baseUrl,
        sessionManager: sessions,
        interceptors: key ? [(next) => (req) => (req.header.set("authorization", `Bearer ${key}`), next(req))] : [],
      });
      return createClient(service, transport);
    },
  };
}

export const chat = (model = "gpt-4o-mini", text = "hi", temperature?: number) => ({
  model,
  messages: [{ role: Role.USER, content: [{ part: { case: "text" as const, value: text } }] }],
  ...(temperature === undefined ? {} : { sampling: { temperature } }),
});

/** The ConnectError a call failed with (the test fails if it did not). */
export async function failure(p: Promise<unknown>): Promise<ConnectError> {
  try {
    await p;
  } catch (err) {
    return ConnectError.from(err);
  }
  throw new Error("expected the call to fail");
}

export async function expectCode(p: Promise<unknown>, code: Code, ...parts: string[]): Promise<ConnectError> {
  const err = await failure(p);
  if (err.code !== code) throw new Error(`expected ${Code[code]}, got ${Code[err.code]}: ${err.rawMessage}`);
  for (const part of parts) if (!err.rawMessage.includes(part)) throw new Error(`expected the message to contain ${JSON.stringify(part)}: ${err.rawMessage}`);
  return err;
}
