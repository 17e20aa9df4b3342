// listen() when a handler answers before reading the whole request (as connect-node does for a
// message over readMaxBytes): the client gets the answer, HTTP/1.1 keeps the keep-alive connection
// usable, HTTP/2 stops the upload (RST_STREAM NO_ERROR) instead of leaving it blocked on flow control.
import http2 from "node:http2";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { listen, type Listener, type RequestHandler } from "../../server/listen.js";

const listeners: Listener[] = [];
afterEach(async () => {
  await Promise.all(listeners.splice(0).map((l) => l.close(0)));
});

/** Reads one chunk of the body, then answers 413 and never reads again; "/ok" answers 200. */
function earlyAnswer(style: "break" | "abandon"): RequestHandler {
  return (req, res) => {
    if (req.url === "/ok") {
      res.writeHead(200, { "content-length": "2" });
      res.end("ok");
      return;
    }
    void (async () => {
      if (style === "break") {
        for await (const _ of req) break; // return(): the reader is done with the body
      } else {
        await req[Symbol.asyncIterator]().next(); // the reader is left waiting, as after a throw in a pipeline
      }
      res.writeHead(413, { "content-type": "text/plain" });
      res.end("too large");
    })();
  };
}

async function start(handler: RequestHandler): Promise<number> {
  const listener = await listen(handler, "127.0.0.1", 0);
  listeners.push(listener);
  return listener.port;
}

function chunk(bytes: number): Buffer {
  return Buffer.concat([Buffer.from(`${bytes.toString(16)}\r\n`), Buffer.alloc(bytes), Buffer.from("\r\n")]);
}

/** One keep-alive connection: a chunked upload answered early, then GET /ok on the same socket. */
function twoRequests(port: number, uploadBytes: number): Promise<{ text: string; closed: "reset" | "end" | "open" }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    let text = "";
    const done = (closed: "reset" | "end" | "open") => {
      socket.destroy();
      resolve({ text, closed });
    };
    socket.on("data", (d: Buffer) => {
      text += d.toString("latin1");
      if (text.endsWith("ok")) done("open");
    });
    socket.on("error", () => done("reset"));
    socket.on("end", () => done("end"));
    socket.write("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    socket.write(chunk(200_000));
    // The rest of the body goes out once the answer is in, as a client streaming messages would send it.
    socket.once("data", () => {
      for (let sent = 200_000; sent < uploadBytes; sent += 1_000_000) socket.write(chunk(Math.min(1_000_000, uploadBytes - sent)));
      socket.write("0\r\n\r\n");
      socket.write("GET /ok HTTP/1.1\r\nHost: x\r\n\r\n");
    });
  });
}

describe("an answer before the request body was read", () => {
  for (const style of ["break", "abandon"] as const) {
    it(`HTTP/1.1 (reader ${style}s): the rest is discarded and the next request on the connection is answered`, async () => {
      const port = await start(earlyAnswer(style));
      const { text, closed } = await twoRequests(port, 1_500_000);
      expect(closed, text).toBe("open");
      expect(text).toMatch(/^HTTP\/1\.1 413 [\s\S]*too large[\s\S]*HTTP\/1\.1 200 [\s\S]*ok$/);
    });

    it(`HTTP/2 (reader ${style}s): the client gets the answer and its upload is stopped with NO_ERROR`, async () => {
      const port = await start(earlyAnswer(style));
      const session = http2.connect(`http://127.0.0.1:${port}`);
      try {
        const stream = session.request({ ":method": "POST", ":path": "/upload" });
        let body = "";
        stream.setEncoding("utf8").on("data", (d: string) => (body += d));
        const status = new Promise<number>((resolve) => stream.once("response", (h) => resolve(Number(h[":status"]))));
        // More than the 64 KiB stream window, never ended: without the RST this write would wait forever.
        const written = new Promise<void>((resolve) => stream.write(Buffer.alloc(1_000_000), () => resolve()));
        const closed = new Promise<number>((resolve) => stream.once("close", () => resolve(stream.rstCode ?? -1)));
        expect(await status).toBe(413);
        expect(await closed).toBe(http2.constants.NGHTTP2_NO_ERROR);
        await written;
        expect(body).toBe("too large");
      } finally {
        session.destroy();
      }
    });
  }

  it("HTTP/1.1: a body that goes on past the bound closes the connection instead of being read forever", async () => {
    const port = await start(earlyAnswer("abandon"));
    const { text, closed } = await twoRequests(port, 12 * 1024 * 1024);
    expect(text).toMatch(/^HTTP\/1\.1 413 [\s\S]*too large/);
    expect(text).not.toMatch(/HTTP\/1\.1 200/);
    expect(closed).not.toBe("open");
  });
});
