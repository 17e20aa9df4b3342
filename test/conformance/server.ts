// The server under test for `connectconformance --mode server`: the ConformanceService on
// hoosh's own RPC stack, i.e. the handler `hoosh serve` builds (server/rpc-handler.ts, with
// hoosh's 404 fallback and its default body, header and stream limits) on the one-port
// listener (server/listen.ts: h2c and HTTP/1.1 on the same port, whichever HTTP version
// the runner asks for). Reads a ServerCompatRequest from stdin, listens on an ephemeral
// loopback port, writes the ServerCompatResponse to stdout; SIGTERM stops it.
import { create, createRegistry, fromBinary, toBinary } from "@bufbuild/protobuf";
import { parseConfig } from "../../server/config/index.js";
import { listen } from "../../server/listen.js";
import { createRpcHandler } from "../../server/rpc-handler.js";
import { notFoundFallback } from "../../server/rpc/fallback.js";
import { file_connectrpc_conformance_v1_service } from "./gen/connectrpc/conformance/v1/service_pb.js";
import { ServerCompatRequestSchema, ServerCompatResponseSchema } from "./gen/connectrpc/conformance/v1/server_compat_pb.js";
import { conformanceRoutes } from "./service.js";
import { readDelimited, writeDelimited } from "./wire.js";

const req = fromBinary(ServerCompatRequestSchema, await readDelimited(process.stdin));
if (req.useTls) throw new Error("TLS was asked for: the conformance config declares plaintext only (hoosh's port is h2c + HTTP/1.1)");

// hoosh's defaults for [server] (max_body_bytes, max_header_bytes, max_concurrent_streams), as `hoosh serve` applies them.
const { server: limits } = parseConfig("", { source: "conformance", env: {} });
const shutdown = new AbortController();
const handler = createRpcHandler({
  routes: conformanceRoutes,
  interceptors: [],
  fallback: notFoundFallback,
  readMaxBytes: req.messageReceiveLimit > 0 ? req.messageReceiveLimit : limits.max_body_bytes,
  shutdownSignal: shutdown.signal,
  // The payloads echo the requests as google.protobuf.Any, which the JSON codec must resolve.
  jsonOptions: { registry: createRegistry(file_connectrpc_conformance_v1_service) },
});
const listener = await listen(handler, "127.0.0.1", 0, {
  maxHeaderBytes: limits.max_header_bytes,
  maxConcurrentStreams: limits.max_concurrent_streams,
});

const stop = () => {
  shutdown.abort();
  void listener.close(0).then(() => process.exit(0));
};
process.once("SIGTERM", stop);
// The runner closes stdin once it has written the request, so only a new parent tells that it is
// gone (killed without stopping its servers): then stop too.
const parent = process.ppid;
setInterval(() => process.ppid !== parent && stop(), 1_000).unref();
process.stdout.write(writeDelimited(toBinary(ServerCompatResponseSchema, create(ServerCompatResponseSchema, { host: listener.address, port: listener.port }))));
