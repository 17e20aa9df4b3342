// Generated-TS-client plumbing for the CLI commands that talk to a running hoosh: where it is
// (--server, $HOOSH_SERVER) and the API key to send (--api-key, $HOOSH_API_KEY), in one place so
// every client command takes both.
import { createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import type { DescService } from "@bufbuild/protobuf";
import { UsageError } from "./args.js";

export const DEFAULT_SERVER = "http://127.0.0.1:8088";

/** The options every client command accepts (spread into its parse() options). */
export const CLIENT_OPTIONS = {
  server: { type: "string" },
  "api-key": { type: "string" },
} as const;

export interface ClientFlags {
  server?: string | undefined;
  "api-key"?: string | undefined;
}

export function serverUrl(value: string | undefined): string {
  const url = value ?? process.env.HOOSH_SERVER ?? DEFAULT_SERVER;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error();
  } catch {
    throw new UsageError(`--server: ${JSON.stringify(url)} is not an http:// or https:// URL`);
  }
  return url;
}

/** --api-key, else $HOOSH_API_KEY; none when neither is set (an unkeyed server). */
export function apiKey(value: string | undefined): string | undefined {
  const key = value ?? process.env.HOOSH_API_KEY;
  if (key === undefined || key === "") return undefined;
  // Never echo the value: it is a secret.
  if (/[\s\p{Cc}]/u.test(key)) throw new UsageError(`--api-key: the key contains white space or control characters (${key.length} characters given)`);
  return key;
}

/** gRPC over HTTP/2 (h2c for http:// URLs), sending the API key as a Bearer token when one is given. */
export function clientFor<S extends DescService>(service: S, flags: ClientFlags): Client<S> {
  const key = apiKey(flags["api-key"]);
  const interceptors: Interceptor[] = key
    ? [
        (next) => (req) => {
          req.header.set("authorization", `Bearer ${key}`);
          return next(req);
        },
      ]
    : [];
  return createClient(service, createGrpcTransport({ baseUrl: serverUrl(flags.server), interceptors }));
}
