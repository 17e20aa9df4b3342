// Input limits and the bind-address safety check, through real `hoosh serve` processes.
import net from "node:net";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { InferenceService } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/spawn.js";
import { runHoosh } from "../harness/cli.js";
import { fakeProviderConfig } from "../harness/hoosh.js";
import { KEYS_TOML, serveWith, type Served } from "./helpers.js";

vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

let fake: FakeOpenAI;
let served: Served;

const LIMITS = `
[server]
max_messages = 3
max_header_bytes = 2048
max_concurrent_streams = 2
max_audio_bytes = 1024
max_stream_duration_ms = 400
`;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  served = await serveWith(fakeProviderConfig(fake.baseUrl).replace('[server]\nbind = "127.0.0.1"', LIMITS.trim()));
});

afterAll(async () => {
  await served?.stop();
  await fake?.stop();
});

describe("input limits", () => {
  it("too many messages → InvalidArgument naming messages", async () => {
    const sessions = new Http2SessionManager(served.server.url);
    const client = createClient(InferenceService, createGrpcTransport({ baseUrl: served.server.url, sessionManager: sessions }));
    const msg = { role: Role.USER, content: [{ part: { case: "text" as const, value: "hi" } }] };
    try {
      await client.generate({ model: "gpt-4o-mini", messages: [msg, msg, msg, msg] });
      expect.unreachable();
    } catch (err) {
      const e = ConnectError.from(err);
      expect(e.code).toBe(Code.InvalidArgument);
      expect(e.rawMessage).toBe("messages: has 4 messages; at most 3 are allowed");
    } finally {
      sessions.abort();
    }
  });

  it("a stream running past max_stream_duration_ms ends with DeadlineExceeded", async () => {
    const sessions = new Http2SessionManager(served.server.url);
    const client = createClient(InferenceService, createGrpcTransport({ baseUrl: served.server.url, sessionManager: sessions }));
    const msg = { role: Role.USER, content: [{ part: { case: "text" as const, value: "hi" } }] };
    let received = 0;
    const started = performance.now();
    try {
      for await (const _ of client.generateStream({ model: "fake-long-stream", messages: [msg] })) received++;
      expect.unreachable();
    } catch (err) {
      const e = ConnectError.from(err);
      expect(e.code).toBe(Code.DeadlineExceeded);
      expect(e.rawMessage).toContain("server.max_stream_duration_ms");
    } finally {
      sessions.abort();
    }
    expect(received).toBeGreaterThan(0);
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it("header too large → 431 on HTTP/1.1", async () => {
    const res = await fetch(`${served.server.url}/v1/models`, { headers: { "x-padding": "a".repeat(4096) } });
    expect(res.status).toBe(431);
    expect((await fetch(`${served.server.url}/v1/models`)).status).toBe(200);
  });

  it("audio over max_audio_bytes → 400 naming the limit", async () => {
    const form = new FormData();
    form.set("model", "whisper-1");
    form.set("file", new Blob([new Uint8Array(4096)], { type: "audio/wav" }), "a.wav");
    const res = await fetch(`${served.server.url}/v1/audio/transcriptions`, { method: "POST", body: form });
    const body = (await res.json()) as { error: { message: string } };
    expect(res.status).toBe(400);
    expect(body.error.message).toContain("exceeds the limit of 1024 bytes");
  });

  it("too many concurrent HTTP/2 streams → the extra stream is refused", async () => {
    const frames = await rawHttp2(served.server.port, 3);
    expect(frames.settingsMaxStreams).toBe(2);
    // RST_STREAM REFUSED_STREAM (7) on the third stream (id 5) only. The two admitted streams are
    // answered (401) while this client never ends its upload, so they may be reset with NO_ERROR (0)
    // after the answer (server/unread-body.ts); nothing else.
    expect(frames.resets.filter((r) => r.code !== 0)).toEqual([{ stream: 5, code: 7 }]);
    expect(frames.resets.filter((r) => r.code === 0).every((r) => r.stream === 1 || r.stream === 3)).toBe(true);
  });
});

describe("bind safety", () => {
  it("serve on a non-loopback bind with no keys exits 2 naming server.bind", async () => {
    const dir = served.configPath.replace(/hoosh\.toml$/, "");
    const file = `${dir}open.toml`;
    const { writeFile } = await import("node:fs/promises");
    await writeFile(file, fakeProviderConfig(fake.baseUrl));
    const out = await runHoosh(["serve", "--config", file, "--bind", "0.0.0.0", "--port", "0"]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("server.bind");
    expect(out.stderr).toContain("allow_unauthenticated_remote");
  });

  it("starts on 0.0.0.0 with keys, or with [auth] allow_unauthenticated_remote", async () => {
    for (const extra of [KEYS_TOML, "[auth]\nallow_unauthenticated_remote = true\n"]) {
      const s = await serveWith(fakeProviderConfig(fake.baseUrl, extra), ["--bind", "0.0.0.0"]);
      await s.stop();
    }
  });
});

/**
 * Opens `streams` request streams on one raw HTTP/2 connection without acknowledging the server's
 * SETTINGS; resolves once the last stream is reset (or after 10 s: then without that reset).
 */
function rawHttp2(port: number, streams: number): Promise<{ settingsMaxStreams?: number; resets: { stream: number; code: number }[] }> {
  const frame = (type: number, flags: number, stream: number, payload: Buffer) => {
    const h = Buffer.alloc(9);
    h.writeUIntBE(payload.length, 0, 3);
    h[3] = type;
    h[4] = flags;
    h.writeUInt32BE(stream, 5);
    return Buffer.concat([h, payload]);
  };
  const literal = (index: number, value: string) => Buffer.concat([Buffer.from([index, value.length]), Buffer.from(value)]);
  // :method POST, :scheme http, :path (literal), :authority (literal); no END_STREAM, so each request stays open.
  const block = Buffer.concat([Buffer.from([0x83, 0x86]), literal(4, "/v1/chat/completions"), literal(1, "localhost")]);
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    const result: { settingsMaxStreams?: number; resets: { stream: number; code: number }[] } = { resets: [] };
    const last = 1 + 2 * (streams - 1);
    let buf = Buffer.alloc(0);
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(done, 10_000);
    socket.on("error", reject);
    socket.on("connect", () => {
      // One write: every HEADERS frame arrives in one read, so the server sees all streams open at
      // once (written apart, a busy machine can answer and close stream 1 before stream 5 arrives).
      const headers = Array.from({ length: streams }, (_, i) => frame(1, 0x4, 1 + 2 * i, block));
      socket.write(Buffer.concat([Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), frame(4, 0, 0, Buffer.alloc(0)), ...headers]));
    });
    socket.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 9 && buf.length >= 9 + buf.readUIntBE(0, 3)) {
        const len = buf.readUIntBE(0, 3);
        const [type, flags] = [buf[3]!, buf[4]!];
        const stream = buf.readUInt32BE(5) & 0x7fffffff;
        const payload = buf.subarray(9, 9 + len);
        if (type === 4 && !(flags & 1)) {
          for (let o = 0; o + 6 <= payload.length; o += 6) if (payload.readUInt16BE(o) === 3) result.settingsMaxStreams = payload.readUInt32BE(o + 2);
        }
        if (type === 3) result.resets.push({ stream, code: payload.readUInt32BE(0) });
        buf = buf.subarray(9 + len);
        if (type === 3 && stream === last) return done();
      }
    });
  });
}
