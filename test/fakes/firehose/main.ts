// An OpenAI-style upstream that streams a long chat completion as fast as its reader takes it,
// honouring backpressure (it writes the next chunk only after "drain"), and reports how far it
// got: GET /stats -> {"written": bytes handed to the socket, "finished": streams ended}.
// A test reads it to see whether a slow client's backpressure reached the upstream read.
//   node --import tsx test/fakes/firehose/main.ts [--chunks N] [--chunk-bytes B]
// Prints {"port":N,"pid":P} once listening on 127.0.0.1.
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { chunks: { type: "string", default: "20000" }, "chunk-bytes": { type: "string", default: "1000" }, "exit-with-parent": { type: "boolean", default: false } } });
const chunks = Number(values.chunks);
const text = "x".repeat(Number(values["chunk-bytes"]));
const head = { id: "chatcmpl-firehose", object: "chat.completion.chunk", created: 0, model: "firehose" };
const sse = (delta: object, finish: string | null = null) => `data: ${JSON.stringify({ ...head, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const piece = sse({ content: text });

let written = 0;
let finished = 0;

/** Writes one chunk; waits for "drain" when the socket's buffer is full (false when the reader left). */
async function write(res: ServerResponse, data: string): Promise<boolean> {
  if (res.destroyed) return false;
  written += Buffer.byteLength(data);
  if (res.write(data)) return true;
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve(!res.destroyed);
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

async function stream(res: ServerResponse): Promise<void> {
  res.writeHead(200, { "content-type": "text/event-stream" });
  if (!(await write(res, sse({ role: "assistant", content: "" })))) return;
  for (let i = 0; i < chunks; i++) if (!(await write(res, piece))) return;
  await write(res, sse({}, "stop"));
  res.end("data: [DONE]\n\n");
  finished++;
}

const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    if (req.url === "/stats") res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ written, finished }));
    else if (req.method === "POST" && req.url === "/v1/chat/completions") void stream(res);
    else res.writeHead(404).end();
  });
});
server.listen(0, "127.0.0.1", () => {
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port, pid: process.pid }));
});
if (values["exit-with-parent"]) process.stdin.on("close", () => process.exit(0)).resume();
