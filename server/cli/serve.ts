// `hoosh serve`: load the config, build the app, listen on the one port,
// drain on SIGINT/SIGTERM and exit 0.
import { isIP } from "node:net";
import { Code, ConnectError } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { buildApp } from "../app.js";
import { unsafeBindReason } from "../auth/limits.js";
import { ConfigError, DEFAULT_CONFIG_SOURCE, loadConfigFile, loadDefaultConfig } from "../config/index.js";
import { listen } from "../listen.js";
import { jsonLogger } from "../observability/log.js";
import { chain } from "../rest/handler.js";
import { notFoundFallback } from "../rpc/fallback.js";
import { parse, parsePort, UsageError } from "./args.js";

export async function serve(args: string[]): Promise<void> {
  const { values } = parse(args, { config: { type: "string", short: "c" }, port: { type: "string", short: "p" }, bind: { type: "string" } }, []);
  const port = parsePort(values.port, "--port");
  if (values.bind !== undefined && values.bind !== "localhost" && isIP(values.bind) === 0) {
    throw new UsageError(`--bind: ${JSON.stringify(values.bind)} is not an IP address or "localhost"`);
  }
  const config = values.config ? await loadConfigFile(values.config, process.env) : loadDefaultConfig(process.env);
  if (port !== undefined) config.server.port = port;
  if (values.bind !== undefined) config.server.bind = values.bind;
  const unsafe = unsafeBindReason(config);
  if (unsafe) throw new ConfigError(values.config ?? DEFAULT_CONFIG_SOURCE, [{ path: "server.bind", message: unsafe.replace(/^server\.bind: /, "") }]);

  // Lifecycle lines (listening, draining, stopped) always print: tools parse them. Access lines follow log_level.
  const log = jsonLogger();
  const logger = jsonLogger(undefined, { level: config.observability.log_level });
  const app = await buildApp(config, { source: values.config ?? DEFAULT_CONFIG_SOURCE, logger });
  // Aborted when the shutdown grace period ends: calls still running end with UNAVAILABLE (safe to retry elsewhere).
  const shutdown = new AbortController();
  const handler = connectNodeAdapter({
    routes: app.routes,
    interceptors: app.interceptors,
    fallback: chain(app.rest, notFoundFallback),
    readMaxBytes: config.server.max_body_bytes,
    shutdownSignal: shutdown.signal,
  });
  const listener = await listen(handler, config.server.bind, config.server.port, {
    maxHeaderBytes: config.server.max_header_bytes,
    maxConcurrentStreams: config.server.max_concurrent_streams,
  });
  log.log("info", "listening", {
    address: listener.address,
    port: listener.port,
    pid: process.pid,
    config: values.config ?? DEFAULT_CONFIG_SOURCE,
    providers: config.providers.filter((p) => p.enabled).map((p) => p.name),
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const grace = config.server.shutdown_grace_ms;
    log.log("info", "draining", { signal, in_flight: listener.inFlight(), grace_ms: grace });
    for (const [service] of app.health.entries()) app.health.set(service, "NOT_SERVING");
    await listener.close(grace, () => shutdown.abort(new ConnectError("server is shutting down", Code.Unavailable)));
    await app.close();
    log.log("info", "stopped", { signal });
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}
