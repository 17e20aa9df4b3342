// Node entry: gRPC (HTTP/2), Connect or gRPC-Web transports from connect-node.
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { authInterceptors, clientsOver, DEFAULT_TIMEOUT_MS, type HooshClient, type HooshClientOptions } from "./services.js";

export { HooshError, toHooshError, Code } from "./errors.js";
export type { HooshClient, HooshClientOptions, Protocol } from "./services.js";

export function createHooshClient(options: HooshClientOptions): HooshClient {
  const common = {
    baseUrl: options.baseUrl,
    interceptors: authInterceptors(options.apiKey),
    defaultTimeoutMs: options.defaultTimeoutMs === 0 ? undefined : (options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS),
  };
  switch (options.protocol ?? "grpc") {
    case "grpc":
      return clientsOver(createGrpcTransport(common));
    case "connect":
      return clientsOver(createConnectTransport({ ...common, httpVersion: "1.1" }));
    case "grpc-web":
      return clientsOver(createGrpcWebTransport({ ...common, httpVersion: "1.1" }));
  }
}
