// connect-node's connectNodeAdapter (same router, same compression defaults, same fallback and
// error logging), with the two answers hoosh corrects at the universal level on the way:
// gRPC-Web text mode (rpc/grpc-web-text.ts) and a Connect request message that does not parse
// (rpc/connect-parse-error.ts). Everything else goes through connect-node's own request and
// response conversion untouched.
import { Code, ConnectError, createConnectRouter } from "@connectrpc/connect";
import type { UniversalHandler, UniversalServerRequest, UniversalServerResponse } from "@connectrpc/connect/protocol";
import {
  compressionBrotli,
  compressionGzip,
  universalRequestFromNodeRequest,
  universalResponseToNodeResponse,
  type ConnectNodeAdapterOptions,
} from "@connectrpc/connect-node";
import type { RequestHandler } from "../listen.js";
import { correctParseError, isConnectUnaryProto } from "./connect-parse-error.js";
import { decodeTextRequest, encodeTextResponse, isGrpcWebText } from "./grpc-web-text.js";

type Fallback = NonNullable<ConnectNodeAdapterOptions["fallback"]>;

export function createNodeAdapter(options: ConnectNodeAdapterOptions & { fallback: Fallback }): RequestHandler {
  const router = createConnectRouter({ ...options, acceptCompression: options.acceptCompression ?? [compressionGzip, compressionBrotli] });
  options.routes(router);
  const paths = new Map<string, UniversalHandler>();
  for (const handler of router.handlers) paths.set(handler.requestPath, handler);
  return (req, res) => {
    const handler = paths.get(req.url?.split("?", 2)[0] ?? "");
    if (!handler) {
      options.fallback(req as never, res as never);
      return;
    }
    const uReq = universalRequestFromNodeRequest(req as never, res as never, undefined, undefined);
    serve(handler, uReq)
      .then((uRes) => universalResponseToNodeResponse(uRes, res as never))
      .catch((reason: unknown) => {
        if (ConnectError.from(reason).code === Code.Aborted) return;
        console.error(`handler for rpc ${handler.method.name} of ${handler.service.typeName} failed`, reason);
      });
  };
}

async function serve(handler: UniversalHandler, req: UniversalServerRequest): Promise<UniversalServerResponse> {
  if (isGrpcWebText(req.header.get("content-type"))) return encodeTextResponse(await handler(decodeTextRequest(req)));
  if (isConnectUnaryProto(req)) return correctParseError(await handler(req));
  return handler(req);
}
