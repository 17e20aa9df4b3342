// Generated-TS-client plumbing for the CLI commands that talk to a running hoosh.
import { createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import type { DescService } from "@bufbuild/protobuf";
import { UsageError } from "./args.js";

export const DEFAULT_SERVER = "http://127.0.0.1:8088";

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

/** The API key: --api-key, else $HOOSH_API_KEY; none when neither is set. Never printed. */
export function apiKeyOf(flag: string | undefined): string | undefined {
  const key = flag ?? process.env.HOOSH_API_KEY;
  if (key === undefined || key === "") return undefined;
  if (/[\r\n]/.test(key)) throw new UsageError("--api-key: the key must be one line");
  return key;
}

/** The flags every client command takes (--server, --api-key). */
export const CLIENT_FLAGS = { server: { type: "string" }, "api-key": { type: "string" } } as const;

/** gRPC over HTTP/2 (h2c for http:// URLs); with a key, every call carries `authorization: Bearer <key>`. */
export function clientFor<S extends DescService>(service: S, baseUrl: string, apiKey?: string): Client<S> {
  const interceptors: Interceptor[] = apiKey
    ? [
        (next) => (req) => {
          req.header.set("authorization", `Bearer ${apiKey}`);
          return next(req);
        },
      ]
    : [];
  return createClient(service, createGrpcTransport({ baseUrl, interceptors }));
}
