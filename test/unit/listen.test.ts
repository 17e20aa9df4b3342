// listen(): HTTP/1.1 and h2c on one port, first-byte sniffing, graceful close.
import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { listen, type Listener, type RequestHandler } from "../../server/listen.js";

interface Res {
  writeHead(status: number, headers?: Record<string, string>): unknown;
  write(chunk: string): unknown;
  end(chunk?: string): unknown;
}

interface Harness {
  listener: Listener;
  /** Resolves the n-th (0-based) /hold request once it arrived; call the result to finish it. */
  held(n: number): Promise<() => void>;
}

const listeners: Listener[] = [];

afterEach(async () => {
  await Promise.all(listeners.splice(0).map((l) => l.close(0)));
});

/** "/hold" writes "part1;" and waits for the test to release it; anything else answers at once. */
async function start(): Promise<Harness> {
  const releases: Array<() => void> = [];
  const waiters: Array<() => void> = [];
  const handler: RequestHandler = (req, response) => {
    const res = response as unknown as Res;
    if (req.url === "/hold") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("part1;");
      releases.push(() => res.end("part2"));
      for (const w of waiters.splice(0)) w();
      return;
    }
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(`${req.httpVersion} ${req.method} ${req.url}`);
  };
  const listener = await listen(handler, "127.0.0.1", 0);
  listeners.push(listener);
  return {
    listener,
    async held(n) {
      while (releases.length <= n) await new Promise<void>((r) => waiters.push(r));
      return releases[n]!;
    },
  };
}

interface Answer {
  status: number;
  body: string;
  /** false when the connection was cut before the body ended. */
  complete: boolean;
}

function get1(port: number, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path, agent: false }, (res) => {
      let body = "";
      let complete = false;
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => (complete = true));
      res.on("error", () => {});
      res.on("close", () => resolve({ status: res.statusCode ?? 0, body, complete }));
    });
    req.on("error", reject);
    req.end();
  });
}

function get2(port: number, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on("error", () => {});
    const stream = session.request({ ":path": path });
    let status = 0;
    let body = "";
    let complete = false;
    stream.setEncoding("utf8");
    stream.on("response", (headers) => (status = Number(headers[":status"])));
    stream.on("data", (d: string) => (body += d));
    stream.on("end", () => (complete = true));
    stream.on("error", () => {});
    stream.on("close", () => {
      session.close();
      // Node's client may emit "end" for a stream cut by the connection closing; the RST code tells.
      complete &&= stream.rstCode === http2.constants.NGHTTP2_NO_ERROR;
      if (status === 0 && !complete) reject(new Error(`h2 stream closed without a response (rst ${stream.rstCode})`));
      else resolve({ status, body, complete });
    });
    stream.end();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Writes pieces to a raw socket with pauses (Nagle off) and returns everything read until the server closes. */
async function raw(port: number, pieces: Array<string | Buffer>, readUntil: (got: Buffer) => boolean): Promise<Buffer> {
  const socket = net.connect({ host: "127.0.0.1", port });
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  let got = Buffer.alloc(0);
  const done = new Promise<Buffer>((resolve, reject) => {
    socket.on("data", (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (readUntil(got)) {
        socket.destroy();
        resolve(got);
      }
    });
    socket.on("close", () => resolve(got));
    socket.on("error", reject);
  });
  for (const piece of pieces) {
    socket.write(piece);
    await sleep(15);
  }
  return done;
}

describe("one port, two protocols", () => {
  it("answers HTTP/1.1 (node:http) and HTTP/2 (node:http2) on the same port", async () => {
    const { listener } = await start();
    expect(listener.port).toBeGreaterThan(0);
    expect(listener.address).toBe("127.0.0.1");
    const [h1, h2] = await Promise.all([get1(listener.port, "/one"), get2(listener.port, "/two")]);
    expect(h1).toEqual({ status: 200, body: "1.1 GET /one", complete: true });
    expect(h2).toEqual({ status: 200, body: "2.0 GET /two", complete: true });
  });

  it("an HTTP/1.1 request whose first bytes arrive one at a time still works", async () => {
    const { listener } = await start();
    const reply = await raw(listener.port, ["G", "E", "T /slow-start HTTP/1.1\r\nHost: x\r\n", "Connection: close\r\n\r\n"], () => false);
    const text = reply.toString("utf8");
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text).toContain("1.1 GET /slow-start");
  });

  it("a method starting with the same byte as the HTTP/2 preface (P...) goes to HTTP/1.1", async () => {
    const { listener } = await start();
    const reply = await raw(listener.port, ["P", "UT /put HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"], () => false);
    expect(reply.toString("utf8")).toContain("1.1 PUT /put");
  });

  it('a raw socket sending "PR" then "I * HTTP/2.0..." is routed to HTTP/2', async () => {
    const { listener } = await start();
    const emptySettings = Buffer.from([0, 0, 0, 0x04, 0, 0, 0, 0, 0]);
    const reply = await raw(listener.port, ["PR", Buffer.concat([Buffer.from("I * HTTP/2.0\r\n\r\nSM\r\n\r\n"), emptySettings])], (got) => got.length >= 9);
    expect(reply.subarray(0, 5).toString("latin1")).not.toBe("HTTP/");
    // The server's first frame is its SETTINGS frame: type 0x4 on stream 0.
    expect(reply[3]).toBe(0x04);
    expect(reply.readUInt32BE(5) & 0x7fffffff).toBe(0);
  });
});

describe("in-flight calls and close(grace)", () => {
  it("inFlight() counts HTTP/1.1 and HTTP/2 calls until they end", async () => {
    const h = await start();
    expect(h.listener.inFlight()).toBe(0);
    const a = get1(h.listener.port, "/hold");
    const b = get2(h.listener.port, "/hold");
    const releaseA = await h.held(0);
    const releaseB = await h.held(1);
    expect(h.listener.inFlight()).toBe(2);
    releaseA();
    expect(await a).toEqual({ status: 200, body: "part1;part2", complete: true });
    releaseB();
    expect(await b).toEqual({ status: 200, body: "part1;part2", complete: true });
    expect(h.listener.inFlight()).toBe(0);
  });

  it("close(grace) waits for an in-flight HTTP/1.1 response to finish", async () => {
    const h = await start();
    const answer = get1(h.listener.port, "/hold");
    const release = await h.held(0);
    let closed = false;
    const closing = h.listener.close(30_000).then(() => (closed = true));
    await sleep(50);
    expect(closed).toBe(false);
    // No new connections once closing.
    await expect(get1(h.listener.port, "/late")).rejects.toThrow(/ECONNREFUSED/);
    release();
    expect(await answer).toEqual({ status: 200, body: "part1;part2", complete: true });
    await closing;
    expect(h.listener.inFlight()).toBe(0);
  });

  it("close(grace) waits for an in-flight HTTP/2 stream to finish", async () => {
    const h = await start();
    const answer = get2(h.listener.port, "/hold");
    const release = await h.held(0);
    let closed = false;
    const closing = h.listener.close(30_000).then(() => (closed = true));
    await sleep(50);
    expect(closed).toBe(false);
    release();
    expect(await answer).toEqual({ status: 200, body: "part1;part2", complete: true });
    await closing;
  });

  it("close(grace) cuts a response that does not finish within grace", async () => {
    const h = await start();
    const a = get1(h.listener.port, "/hold");
    const b = get2(h.listener.port, "/hold");
    await h.held(1);
    expect(h.listener.inFlight()).toBe(2);
    await h.listener.close(100);
    const [cut1, cut2] = await Promise.all([a, b]);
    expect(cut1).toMatchObject({ status: 200, body: "part1;", complete: false });
    expect(cut2).toMatchObject({ status: 200, body: "part1;", complete: false });
    expect(h.listener.inFlight()).toBe(0);
  });

  it("close() with nothing in flight resolves at once", async () => {
    const h = await start();
    await get1(h.listener.port, "/x");
    await h.listener.close(60_000);
  });
});
