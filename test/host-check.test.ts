// DNS rebinding protection on every surface: a keyless hoosh on a loopback bind answers only
// requests that name it localhost, 127.0.0.1 or [::1] (or what [server] allowed_hosts lists), so a
// web page whose own name was re-pointed at 127.0.0.1 cannot read answers, spend budgets or use
// the console's admin RPCs. The REST edge, Connect, gRPC over HTTP/2 and the console are each
// asked with a foreign Host against a real `hoosh serve`.
import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allowedHostsFor } from "../server/host-check.js";
import { ConfigError, parseConfig } from "../server/config/index.js";
import { startFakeOpenAI, type FakeOpenAI } from "./fakes/spawn.js";
import { fakeProviderConfig, startHoosh, type Hoosh } from "./harness/hoosh.js";

interface Answer {
  status: number;
  body: string;
}

/** HTTP/1.1 to the port with the given Host header (the TCP connection goes to 127.0.0.1). */
function ask(port: number, host: string, method: string, path: string, body?: string, type = "application/json", extra: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host, ...extra };
    if (body !== undefined) headers["content-type"] = type;
    const req = http.request({ host: "127.0.0.1", port, method, path, headers, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** A gRPC call over h2c naming `authority`: the HTTP :status and grpc-status it gets. */
function grpcStatus(port: number, authority: string): Promise<{ status: number; grpc: string | undefined }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on("error", reject);
    const stream = session.request({
      ":method": "POST",
      ":path": "/hoosh.v1.ModelsService/ListModels",
      ":authority": authority,
      "content-type": "application/grpc",
      te: "trailers",
    });
    let status = 0;
    let grpc: string | undefined;
    stream.on("response", (h) => {
      status = Number(h[":status"]);
      grpc = h["grpc-status"] as string | undefined;
    });
    stream.on("trailers", (t) => (grpc ??= t["grpc-status"] as string | undefined));
    stream.resume();
    stream.on("close", () => {
      session.close();
      resolve({ status, grpc });
    });
    stream.on("error", reject);
    stream.end(Buffer.alloc(5)); // one empty message
  });
}

let fake: FakeOpenAI;
let keyless: Hoosh;
let listed: Hoosh;
let cors: Hoosh;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  [keyless, listed, cors] = await Promise.all([
    startHoosh(fakeProviderConfig(fake.baseUrl)),
    startHoosh(fakeProviderConfig(fake.baseUrl).replace('bind = "127.0.0.1"', 'bind = "127.0.0.1"\nallowed_hosts = ["hoosh.test", "other.test:8080"]')),
    startHoosh(fakeProviderConfig(fake.baseUrl, '[server.cors]\nallowed_origins = ["https://app.example.com"]')),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([keyless?.stop(), listed?.stop(), cors?.stop(), fake?.stop()]);
});

const chat = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });

describe("Host check on a keyless loopback bind", () => {
  it("answers the loopback names, with or without a port", async () => {
    for (const host of [`127.0.0.1:${keyless.port}`, `localhost:${keyless.port}`, "localhost", `[::1]:${keyless.port}`, `LOCALHOST:${keyless.port}`]) {
      expect((await ask(keyless.port, host, "GET", "/v1/models")).status, host).toBe(200);
    }
    expect((await ask(keyless.port, `localhost:${keyless.port}`, "POST", "/v1/chat/completions", chat)).status).toBe(200);
  });

  it("refuses a foreign Host on the REST edge with 403 naming the setting, and sends nothing upstream", async () => {
    const before = (await fake.events()).length;
    const models = await ask(keyless.port, `rebind.example:${keyless.port}`, "GET", "/v1/models");
    expect(models.status).toBe(403);
    expect(JSON.parse(models.body)).toEqual({
      error: { code: "permission_denied", message: `Forbidden: Host "rebind.example:${keyless.port}" is not allowed here ([server] allowed_hosts)` },
    });
    expect((await ask(keyless.port, "localhost.rebind.example", "POST", "/v1/chat/completions", chat)).status).toBe(403);
    expect((await ask(keyless.port, "127.0.0.1.nip.example", "POST", "/hoosh/v1/generate", chat)).status).toBe(403);
    expect((await fake.events()).length).toBe(before);
  });

  it("refuses it on Connect, gRPC over HTTP/2, the console and the metrics page", async () => {
    const connect = await ask(keyless.port, "rebind.example", "POST", "/hoosh.v1.ModelsService/ListModels", "{}");
    expect(connect.status).toBe(403);
    expect(connect.body).toContain("[server] allowed_hosts");
    expect((await ask(keyless.port, "rebind.example", "POST", "/hoosh.v1.AdminService/ReloadConfig", "{}")).status).toBe(403);
    expect((await ask(keyless.port, "rebind.example", "GET", "/console/")).status).toBe(403);
    expect((await ask(keyless.port, "rebind.example", "GET", "/metrics")).status).toBe(403);
    expect(await grpcStatus(keyless.port, "rebind.example")).toEqual({ status: 403, grpc: undefined });
    // The same call naming loopback is served (grpc-status 0).
    expect(await grpcStatus(keyless.port, `127.0.0.1:${keyless.port}`)).toEqual({ status: 200, grpc: "0" });
  });

  it("refuses a browser request from another site's page (Origin), even under hoosh's real name", async () => {
    const host = `127.0.0.1:${keyless.port}`;
    const before = (await fake.events()).length;
    // A cross-site form or multipart upload is a "simple" request: no preflight, but the Origin header.
    const upload = await ask(keyless.port, host, "POST", "/v1/audio/transcriptions", "--x--\r\n", "multipart/form-data; boundary=x", { origin: "https://evil.example" });
    expect(upload.status).toBe(403);
    expect(JSON.parse(upload.body).error.message).toBe(
      'Forbidden: Origin "https://evil.example" is not allowed here (a page\'s origin must be hoosh\'s own or listed in [server.cors] allowed_origins)',
    );
    expect((await ask(keyless.port, host, "POST", "/v1/chat/completions", chat, "application/json", { origin: "null" })).status).toBe(403);
    expect((await fake.events()).length).toBe(before);
    // hoosh's own pages (the console) send their own origin: served.
    expect((await ask(keyless.port, host, "POST", "/v1/chat/completions", chat, "application/json", { origin: `http://${host}` })).status).toBe(200);
    expect((await ask(keyless.port, host, "GET", "/v1/models", undefined, "", { origin: `http://localhost:${keyless.port}` })).status).toBe(200);
  });

  it("refuses a request with no Host at all", async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(keyless.port, "127.0.0.1");
      let text = "";
      socket.on("data", (c: Buffer) => (text += c.toString()));
      socket.on("end", () => resolve(text));
      socket.on("error", reject);
      socket.write("GET /v1/models HTTP/1.0\r\n\r\n");
    });
    expect(answer).toMatch(/^HTTP\/1\.[01] (400|403)/);
  });
});

describe("[server] allowed_hosts", () => {
  it("lets the [server.cors] origins through the Origin check", async () => {
    const port = cors.port;
    const from = (origin: string) => ask(port, `127.0.0.1:${port}`, "GET", "/v1/models", undefined, "", { origin });
    expect((await from("https://app.example.com")).status).toBe(200);
    expect((await from("https://other.example.com")).status).toBe(403);
  });

  it("replaces the loopback names: listed hosts (any port, or the port given) are served, others refused", async () => {
    const port = listed.port;
    expect((await ask(port, `hoosh.test:${port}`, "GET", "/v1/models")).status).toBe(200);
    expect((await ask(port, "HOOSH.TEST", "GET", "/v1/models")).status).toBe(200);
    expect((await ask(port, "other.test:8080", "GET", "/v1/models")).status).toBe(200);
    expect((await ask(port, "other.test:8081", "GET", "/v1/models")).status).toBe(403);
    expect((await ask(port, `localhost:${port}`, "GET", "/v1/models")).status).toBe(403);
  });

  it("defaults by bind: loopback names on a loopback bind, any host elsewhere", () => {
    expect(allowedHostsFor("127.0.0.1", undefined)).toEqual(["localhost", "127.0.0.1", "[::1]"]);
    expect(allowedHostsFor("::1", undefined)).toEqual(["localhost", "127.0.0.1", "[::1]"]);
    expect(allowedHostsFor("0.0.0.0", undefined)).toBeUndefined();
    expect(allowedHostsFor("0.0.0.0", ["gw.internal"])).toEqual(["gw.internal"]);
  });

  it("rejects a value that is not a host name, naming the field", () => {
    for (const bad of ['"http://hoosh.test"', '"hoosh.test/path"', '""', '"a b"']) {
      const err = (() => {
        try {
          parseConfig(`[server]\nallowed_hosts = [${bad}]\n`, { source: "hoosh.toml", env: {} });
        } catch (e) {
          return e;
        }
      })();
      expect(err, bad).toBeInstanceOf(ConfigError);
      expect(String((err as Error).message), bad).toMatch(/server\.allowed_hosts(\[0\]|\.0)?: .*must be a host name/);
    }
  });
});
