// A stand-in for a managed engine process (scripts/whisper-server's start protocol): it listens
// on a loopback port, prints `{"port": N, "pid": P}` on stdout, logs a line on stderr and answers
// GET /v1/models. The mode (argv[2]) makes it misbehave the ways a real engine can:
//   ok        start normally
//   exit      exit with code 3 before printing the port line
//   silent    never print the port line (a hung start)
//   garbage   print something else instead of the port line
//   unhealthy print the port line, then answer GET /v1/models with 503
// Plain JavaScript, so tests start it with `node` alone (one PID).
import { createServer } from "node:http";

const mode = process.argv[2] ?? "ok";
if (mode === "exit") {
  process.stderr.write("fake engine: failing on purpose\n");
  process.exit(3);
}
const server = createServer((req, res) => {
  if (req.method === "GET" && req.url === "/v1/models") {
    res.writeHead(mode === "unhealthy" ? 503 : 200, { "content-type": "application/json" });
    res.end(JSON.stringify({ object: "list", data: [{ id: "fake", object: "model" }] }));
    return;
  }
  res.writeHead(404).end();
});
server.listen(0, "127.0.0.1", () => {
  process.stderr.write(`fake engine: listening (${mode})\n`);
  if (mode === "silent") return;
  if (mode === "garbage") return void process.stdout.write("hello there\n");
  process.stdout.write(`${JSON.stringify({ port: server.address().port, pid: process.pid })}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
