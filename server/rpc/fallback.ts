// Answers requests no route matched, in the caller's protocol: gRPC and
// gRPC-Web callers get status UNIMPLEMENTED (trailers-only), Connect callers a
// Connect "unimplemented" error, everyone else a JSON 404.
import type { ConnectNodeAdapterOptions } from "@connectrpc/connect-node";

export type Fallback = NonNullable<ConnectNodeAdapterOptions["fallback"]>;

export const notFoundFallback: Fallback = (req, res) => {
  const type = String(req.headers["content-type"] ?? "");
  const message = `no route for ${req.method} ${req.url}`;
  if (type.startsWith("application/grpc")) {
    // Trailers-only response: the status travels in the one HEADERS frame.
    const headers = { "content-type": type, "grpc-status": "12", "grpc-message": encodeURIComponent(`unknown method ${req.url}`) };
    if ("stream" in res) {
      // HTTP/2: headers and END_STREAM in one frame (grpc-core clients reject an extra empty DATA frame).
      res.stream.respond({ ":status": 200, ...headers }, { endStream: true });
    } else {
      res.writeHead(200, headers);
      res.end();
    }
    return;
  }
  const connect = req.headers["connect-protocol-version"] !== undefined;
  res.writeHead(404, { "content-type": "application/json" });
  res.end(JSON.stringify(connect ? { code: "unimplemented", message } : { error: { code: "not_found", message } }));
};
