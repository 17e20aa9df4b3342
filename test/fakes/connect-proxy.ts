// A forward proxy for the proxy tests, run as its own process:
//   node --import tsx test/fakes/connect-proxy.ts [--auth USER:PASS] [--port N] [--exit-with-parent]
// It answers CONNECT host:port by opening a TCP tunnel (plain HTTP through a
// proxy uses the same tunnel). Names ending in ".test" resolve to 127.0.0.1
// here and nowhere else, so a request for such a name can only succeed
// through this proxy. With --auth, a CONNECT without that Proxy-Authorization
// (Basic) is answered 407. GET /_fake/events lists the tunnels opened.
import { createServer, type IncomingMessage } from "node:http";
import { connect, type Socket } from "node:net";
import { runFake } from "./run-fake.js";

interface TunnelEvent {
  type: "connect";
  at: number;
  target: string;
  authorized: boolean;
  status: number;
}

runFake(
  ({ extra }) => {
    const events: TunnelEvent[] = [];
    const expected = extra.auth ? `Basic ${Buffer.from(extra.auth).toString("base64")}` : undefined;
    const server = createServer((req, res) => {
      const path = new URL(req.url ?? "/", "http://proxy.invalid").pathname;
      if (req.method === "GET" && path === "/_fake/events") {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(events));
      } else if (req.method === "POST" && path === "/_fake/reset") {
        events.length = 0;
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      } else {
        res.writeHead(400).end("this proxy only tunnels (CONNECT)");
      }
    });
    server.on("connect", (req: IncomingMessage, client: Socket, head: Buffer) => {
      const target = req.url ?? "";
      const authorized = expected === undefined || req.headers["proxy-authorization"] === expected;
      const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(target);
      const reply = (status: number, text: string) => {
        events.push({ type: "connect", at: Date.now(), target, authorized, status });
        client.end(`HTTP/1.1 ${status} ${text}\r\n${status === 407 ? 'Proxy-Authenticate: Basic realm="test"\r\n' : ""}Content-Length: 0\r\n\r\n`);
      };
      if (!authorized) return reply(407, "Proxy Authentication Required");
      if (!m) return reply(400, "Bad Request");
      const host = m[1]!.endsWith(".test") ? "127.0.0.1" : m[1]!.replace(/^\[|\]$/g, "");
      const upstream = connect(Number(m[2]), host);
      upstream.once("connect", () => {
        events.push({ type: "connect", at: Date.now(), target, authorized, status: 200 });
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        if (head.length > 0) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.once("error", () => (upstream.readyState === "opening" ? reply(502, "Bad Gateway") : client.destroy()));
      client.once("error", () => upstream.destroy());
      client.once("close", () => upstream.destroy());
      upstream.once("close", () => client.destroy());
    });
    return server;
  },
  ["auth"],
);
