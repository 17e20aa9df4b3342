// Reads a request body up to a byte cap. Over the cap (by Content-Length or
// by counting), the rest is discarded as it arrives and the caller answers
// 413: the connection stays usable and the client gets to read the answer.
import type { HttpRequest } from "../handler.js";

export type BodyResult = { ok: true; bytes: Buffer } | { ok: false; reason: "too-large" | "closed" };

export function readBody(req: HttpRequest, maxBytes: number): Promise<BodyResult> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    return Promise.resolve({ ok: false, reason: "too-large" });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BodyResult) => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onClose);
      req.off("close", onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
      else {
        finish({ ok: false, reason: "too-large" });
        req.resume(); // discard the rest
      }
    };
    const onEnd = () => finish({ ok: true, bytes: Buffer.concat(chunks, size) });
    const onClose = () => finish({ ok: false, reason: "closed" });
    req.on("data", onData);
    req.once("end", onEnd);
    req.once("error", onClose);
    req.once("close", onClose);
  });
}
