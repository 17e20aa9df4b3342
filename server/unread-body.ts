// A response can be complete while the client is still sending its request: an RPC rejected
// for an oversized message (readMaxBytes) or a failed check on a client stream, a REST error
// answered before the body was read. connect-node then stops reading the request midway and
// leaves it there, which hangs the client or breaks its connection:
// - HTTP/2: nobody reads the stream, so its flow-control window never reopens and a client
//   still writing (Go's transport, a client stream) blocks before it ever reads the answer.
// - HTTP/1.1: Node destroys the socket of a request whose reader gave up early: a reset that
//   can overtake the response, or hit the client's next request on that keep-alive connection.
// So once the response is done, the rest of the request is read and discarded (as Node does
// for a body no handler touched), up to a bound; on HTTP/2 the upload is also stopped with
// RST_STREAM(NO_ERROR) as soon as the trailers are out (RFC 9113 §8.1, as grpc-go does).
import type http from "node:http";
import http2 from "node:http2";

/** The most of an unread request body read to keep its connection (HTTP/1.1) or stream (HTTP/2). */
const DISCARD_MAX_BYTES = 8 * 1024 * 1024;

type Request = http.IncomingMessage | http2.Http2ServerRequest;
type Response = http.ServerResponse | http2.Http2ServerResponse;

/** Releases whatever of req nobody read once res is done (call once per request, before the handler). */
export function releaseUnreadBody(req: Request, res: Response): void {
  // A reader that stops early (connect-node's `for await` over the body, left by a throw) would
  // destroy the request, and Node then destroys an unfinished HTTP/1.1 request's socket: a reset
  // that can overtake the response just written. Leave the body to be discarded below instead.
  req[Symbol.asyncIterator] = iterateKeepingBody;
  if (!("stream" in res)) {
    res.once("finish", () => !req.complete && !req.destroyed && discard(req, () => req.socket.destroy()));
    return;
  }
  const stream = res.stream;
  // Still uploading: the client has not ended its side (a GET, or a body nobody read to its end, has).
  const uploading = () => !req.complete && !req.destroyed && !stream.destroyed && stream.state.remoteClose === 0;
  // The stream's own 'finish' (its writable side is done; Http2ServerResponse emits 'finish' only once the stream closed).
  stream.once("finish", () => uploading() && discard(req, () => stream.close(http2.constants.NGHTTP2_CANCEL)));
  // Node's compat layer answers 'wantTrailers' first and submits the trailers in an immediate;
  // an immediate queued after it runs once they are queued ahead of the RST_STREAM.
  stream.once("wantTrailers", () => {
    setImmediate(() => !stream.closed && uploading() && stream.close(http2.constants.NGHTTP2_NO_ERROR));
  });
}

function iterateKeepingBody(this: Request): AsyncIterableIterator<Buffer> {
  return this.iterator({ destroyOnReturn: false });
}

function discard(req: Request, tooLong: () => void): void {
  let left = DISCARD_MAX_BYTES;
  // An abandoned `for await` reader leaves its 'readable' listener, which keeps the stream paused.
  req.removeAllListeners("readable");
  const count = (chunk: Buffer) => {
    left -= chunk.length;
    if (left >= 0) return;
    req.off("data", count);
    tooLong();
  };
  req.on("data", count);
  // resume() makes the stream flow only once it has noticed the 'readable' listeners are gone.
  process.nextTick(() => req.resume());
}
