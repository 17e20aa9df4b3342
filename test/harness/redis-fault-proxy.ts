/**
 * A TCP proxy in front of a real redis-server that injects the faults a budget store must
 * survive, per command: the command runs in Redis untouched, but its reply is held back for a
 * while (delay), or the connection is cut once the command has been sent (drop: Redis ran it,
 * the client never learns the outcome), or all traffic is held (pause) until resume(): a Redis
 * that stalls. (A single command cannot be held back alone: Redis answers a connection's
 * commands in order, and clients match replies to commands by that order.)
 *
 * It reads RESP frames in both directions so each reply is matched with its command (replies
 * come back in command order on a connection): `rule(args)` sees a command's arguments
 * (e.g. ["evalsha", sha, "0", prefix, now, ...]) and picks its fault. Runs in the test's own
 * process; the gateway under test connects to `url`.
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";

export type Fault = { kind: "pass" } | { kind: "delay"; ms: number } | { kind: "drop" };
export type FaultRule = (args: readonly string[]) => Fault;

export interface RedisFaultProxy {
  readonly port: number;
  /** redis://127.0.0.1:PORT/0 */
  readonly url: string;
  /** The fault of every command from now on (default: pass). */
  setRule(rule: FaultRule): void;
  /** Holds every byte in both directions until resume(). */
  pause(): void;
  resume(): void;
  /** Commands the rule dropped or delayed so far. */
  readonly injected: { dropped: number; delayed: number };
  close(): Promise<void>;
}

const PASS: Fault = { kind: "pass" };

export async function startRedisFaultProxy(redisPort: number): Promise<RedisFaultProxy> {
  let rule: FaultRule = () => PASS;
  let paused = false;
  const waiting: (() => void)[] = [];
  const injected = { dropped: 0, delayed: 0 };
  const sockets = new Set<Socket>();
  const whenRunning = (fn: () => void) => (paused ? waiting.push(fn) : fn());

  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: "127.0.0.1", port: redisPort });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.once("close", () => sockets.delete(s));
    }
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", cut);
    upstream.on("error", cut);
    client.on("close", cut);
    upstream.on("close", cut);

    const pending: Fault[] = [];
    // Replies leave in order, one queue per connection: a delayed one holds back the ones behind it.
    const outgoing: { frame: Buffer; at: number }[] = [];
    let timer: NodeJS.Timeout | undefined;
    const drain = () => {
      timer = undefined;
      while (outgoing.length > 0 && (outgoing[0] as { at: number }).at <= Date.now()) {
        const { frame } = outgoing.shift() as { frame: Buffer };
        whenRunning(() => client.writable && client.write(frame));
      }
      if (outgoing.length > 0) timer = setTimeout(drain, (outgoing[0] as { at: number }).at - Date.now());
    };
    client.once("close", () => clearTimeout(timer));
    const toRedis = frames((frame) => {
      pending.push(rule(commandArgs(frame)));
      whenRunning(() => upstream.writable && upstream.write(frame));
    });
    const toClient = frames((frame) => {
      // A RESP3 push (">") is out of band: it answers no command.
      const fault = frame[0] === 0x3e ? PASS : (pending.shift() ?? PASS);
      if (fault.kind === "drop") {
        injected.dropped++;
        cut();
        return;
      }
      if (fault.kind === "delay") injected.delayed++;
      const last = outgoing.at(-1)?.at ?? 0;
      outgoing.push({ frame, at: Math.max(last, Date.now() + (fault.kind === "delay" ? fault.ms : 0)) });
      if (!timer) drain();
    });
    client.on("data", toRedis);
    upstream.on("data", toClient);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;

  const resume = () => {
    paused = false;
    for (const fn of waiting.splice(0)) fn();
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    injected,
    setRule(r) {
      rule = r;
    },
    pause() {
      paused = true;
    },
    resume,
    async close() {
      resume();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Splits a byte stream into whole RESP frames. */
function frames(onFrame: (frame: Buffer) => void): (chunk: Buffer) => void {
  let buf: Buffer = Buffer.alloc(0);
  return (chunk) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    for (;;) {
      const end = frameEnd(buf, 0);
      if (end < 0) return;
      onFrame(buf.subarray(0, end));
      buf = buf.subarray(end);
    }
  };
}

/** The offset just past the RESP frame (RESP2 or RESP3) starting at `at`, or -1 when it is not complete yet. */
function frameEnd(buf: Buffer, at: number): number {
  if (at >= buf.length) return -1;
  const eol = buf.indexOf("\r\n", at);
  if (eol < 0) return -1;
  const type = String.fromCharCode(buf[at] as number);
  switch (type) {
    case "+": case "-": case ":": case "_": case "#": case ",": case "(":
      return eol + 2;
    case "$": case "!": case "=": {
      const n = Number(buf.toString("latin1", at + 1, eol));
      if (n < 0) return eol + 2;
      const end = eol + 2 + n + 2;
      return end <= buf.length ? end : -1;
    }
    case "*": case "~": case ">": case "%": case "|": {
      const n = Number(buf.toString("latin1", at + 1, eol));
      // A map or attribute holds n key-value pairs; an attribute is followed by the value it annotates.
      const count = n < 0 ? 0 : type === "%" || type === "|" ? 2 * n : n;
      let next = eol + 2;
      for (let i = 0; i < count; i++) {
        next = frameEnd(buf, next);
        if (next < 0) return -1;
      }
      return type === "|" ? frameEnd(buf, next) : next;
    }
    default:
      throw new Error(`RESP: unexpected type byte ${JSON.stringify(type)} at ${at}`);
  }
}

/** A command frame (an array of bulk strings) as strings. */
function commandArgs(frame: Buffer): string[] {
  const args: string[] = [];
  let at = frame.indexOf("\r\n") + 2;
  while (at < frame.length) {
    const eol = frame.indexOf("\r\n", at);
    const len = Number(frame.toString("latin1", at + 1, eol));
    args.push(frame.toString("utf8", eol + 2, eol + 2 + len));
    at = eol + 2 + len + 2;
  }
  return args;
}
