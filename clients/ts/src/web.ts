// Browser entry: Connect or gRPC-Web over fetch. Browsers cannot speak raw gRPC
// (no HTTP/2 trailers through fetch) and fetch cannot client-stream, so
// Transcribe and TranscribeStream need the Node entry; browsers call
// TranscribeFile (the whole audio in one message, partials streamed back).
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { authInterceptors, clientsOver, DEFAULT_TIMEOUT_MS, type HooshClient, type HooshClientOptions } from "./services.js";

export { HooshError, toHooshError, Code } from "./errors.js";
export type { HooshClient, HooshClientOptions, Protocol } from "./services.js";

export function createHooshClient(options: HooshClientOptions): HooshClient {
  const common = {
    baseUrl: options.baseUrl,
    interceptors: authInterceptors(options.apiKey),
    defaultTimeoutMs: options.defaultTimeoutMs === 0 ? undefined : (options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS),
  };
  switch (options.protocol ?? "connect") {
    case "connect":
      return clientsOver(createConnectTransport(common));
    case "grpc-web":
      return clientsOver(createGrpcWebTransport(common));
    case "grpc":
      throw new Error('protocol "grpc" is not available in browsers; use "connect" or "grpc-web"');
  }
}
