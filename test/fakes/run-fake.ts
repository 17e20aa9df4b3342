// The command line every fake upstream shares (test/fakes/<vendor>-upstream.ts):
//   [--port N] [--api-key K] [--slow-ms MS] [--exit-with-parent]
// Listens on 127.0.0.1 and prints exactly one line to stdout once listening: {"port":N,"pid":P}
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";

export interface FakeServerOptions {
  apiKey?: string;
  slowMs: number;
  /** Values of the fake's own string flags (see `extraFlags`). */
  extra: Record<string, string | undefined>;
}

/** `extraFlags`: names of further string flags a fake takes (e.g. the cloud fakes' credentials). */
export function runFake(createServer: (opts: FakeServerOptions) => Server, extraFlags: string[] = []): void {
  const { values } = parseArgs({
    options: {
      ...Object.fromEntries(extraFlags.map((flag) => [flag, { type: "string" as const }])),
      port: { type: "string", default: "0" },
      "api-key": { type: "string" },
      "slow-ms": { type: "string", default: "3000" },
      // Exit when stdin closes, so a crashed test runner does not leak this process.
      "exit-with-parent": { type: "boolean", default: false },
    },
  });

  const server = createServer({
    ...(values["api-key"] !== undefined ? { apiKey: values["api-key"] } : {}),
    slowMs: Number(values["slow-ms"]),
    extra: Object.fromEntries(extraFlags.map((flag) => [flag, (values as Record<string, unknown>)[flag] as string | undefined])),
  });

  function shutdown(): void {
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 1000).unref();
  }
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
  if (values["exit-with-parent"]) {
    process.stdin.on("end", shutdown).on("error", shutdown).resume();
  }

  server.listen(Number(values.port), "127.0.0.1", () => {
    const { port } = server.address() as AddressInfo;
    process.stdout.write(JSON.stringify({ port, pid: process.pid }) + "\n");
  });
}
