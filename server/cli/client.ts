// Generated-TS-client plumbing for the CLI commands that talk to a running hoosh.
import { createClient, type Client } from "@connectrpc/connect";
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

/** gRPC over HTTP/2 (h2c for http:// URLs). */
export function clientFor<S extends DescService>(service: S, baseUrl: string): Client<S> {
  return createClient(service, createGrpcTransport({ baseUrl }));
}
