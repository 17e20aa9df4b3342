// A client that stops reading a stream makes hoosh stop reading the upstream: the upstream (a
// firehose that writes only when its socket drains, test/fakes/firehose) stalls far short of the
// answer's end instead of hoosh buffering the whole answer in memory. When the client reads again,
// every byte arrives. Over the REST shim (SSE) and gRPC GenerateStream.
import http from "node:http";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "../gen/ts/hoosh/v1/chat_pb.js";
import { InferenceService } from "../gen/ts/hoosh/v1/inference_pb.js";
import { startProcess, type StartedProcess } from "./fakes/spawn.js";
import { startHoosh, type Hoosh } from "./harness/hoosh.js";

const CHUNKS = 10_000;
const CHUNK_BYTES = 10_000;
const ANSWER_BYTES = CHUNKS * CHUNK_BYTES; // 100 MB
// Socket buffers on the two loopback hops may hold tens of MB; hoosh itself must hold little.
const STALLED_BELOW = ANSWER_BYTES / 2;

let firehose: StartedProcess;
let hoosh: Hoosh;

beforeAll(async () => {
  firehose = await startProcess(new URL("./fakes/firehose/main.ts", import.meta.url).pathname, ["--exit-with-parent", "--chunks", String(CHUNKS), "--chunk-bytes", String(CHUNK_BYTES)]);
  hoosh = await startHoosh(`
[cache]
mode = "off"

[[providers]]
name = "firehose"
type = "openai"
base_url = "${firehose.url}/v1"
models = ["*"]
timeouts = { connect_ms = 5000, first_byte_ms = 30000, idle_ms = 300000 }
`);
}, 60_000);

afterAll(async () => {
  await hoosh?.stop();
  await firehose?.stop();
});

async function stats(): Promise<{ written: number; finished: number }> {
  return (await (await fetch(`${firehose.url}/stats`)).json()) as { written: number; finished: number };
}

/** The firehose's byte count once it has not moved for 2 s (10 polls in a row). */
async function stalledAt(): Promise<{ written: number; finished: number }> {
  let last = await stats();
  for (let still = 0; still < 10; ) {
    await new Promise((r) => setTimeout(r, 200));
    const now = await stats();
    still = now.written === last.written ? still + 1 : 0;
    last = now;
  }
  return last;
}

const ask = { model: "firehose", messages: [{ role: Role.USER, content: [{ part: { case: "text" as const, value: "everything" } }] }] };

describe("backpressure from a client that stops reading reaches the upstream", () => {
  it("REST (SSE): the upstream stalls while the client pauses; resumed, every byte arrives", { timeout: 180_000 }, async () => {
    const before = await stats();
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request(`${hoosh.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" } }, resolve);
      req.on("error", reject);
      req.end(JSON.stringify({ model: "firehose", stream: true, messages: [{ role: "user", content: "everything" }] }));
    });
    expect(res.statusCode).toBe(200);
    res.setEncoding("utf8");
    // Pulling through the iterator: while the test does not pull, nothing is read from the socket.
    const body = res[Symbol.asyncIterator]() as AsyncIterator<string>;
    let buffer = (await body.next()).value as string;

    const stalled = await stalledAt();
    console.log(`REST: upstream stalled after ${((stalled.written - before.written) / 1e6).toFixed(1)} MB of ${ANSWER_BYTES / 1e6} MB`);
    expect(stalled.finished).toBe(before.finished);
    expect(stalled.written - before.written).toBeLessThan(STALLED_BELOW);

    let content = 0;
    const count = (events: string[]) => {
      for (const e of events) {
        const data = e.replace(/^data: /, "");
        if (data && data !== "[DONE]") content += ((JSON.parse(data) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? "").length;
      }
    };
    for (let r = await body.next(); !r.done; r = await body.next()) {
      buffer += r.value;
      const events = buffer.split("\n\n");
      buffer = events.pop()!;
      count(events);
    }
    count([buffer.trim()]);
    expect(content).toBe(ANSWER_BYTES);
    expect((await stats()).finished).toBe(before.finished + 1);
  });

  it("gRPC GenerateStream: the upstream stalls while the client pauses; resumed, every byte arrives", { timeout: 180_000 }, async () => {
    const before = await stats();
    const client = createClient(InferenceService, createGrpcTransport({ baseUrl: hoosh.url }));
    const stream = client.generateStream(ask)[Symbol.asyncIterator]();
    await stream.next(); // the start event: the call is open, then the client stops pulling

    const stalled = await stalledAt();
    console.log(`gRPC: upstream stalled after ${((stalled.written - before.written) / 1e6).toFixed(1)} MB of ${ANSWER_BYTES / 1e6} MB`);
    expect(stalled.finished).toBe(before.finished);
    expect(stalled.written - before.written).toBeLessThan(STALLED_BELOW);

    let content = 0;
    for (let r = await stream.next(); !r.done; r = await stream.next()) {
      if (r.value.event.case === "text") content += r.value.event.value.text.length;
    }
    expect(content).toBe(ANSWER_BYTES);
    expect((await stats()).finished).toBe(before.finished + 1);
  });
});
