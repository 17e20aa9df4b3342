// `hoosh serve`: load the config, build the app, listen on the one port,
// reload the config on SIGHUP (server/lifecycle), drain on SIGINT/SIGTERM and exit 0.
import cluster from "node:cluster";
import { isIP } from "node:net";
import { availableParallelism } from "node:os";
import { Code, ConnectError } from "@connectrpc/connect";
import { unsafeBindReason } from "../auth/limits.js";
import { ConfigError, DEFAULT_CONFIG_SOURCE, loadConfigFile, loadDefaultConfig } from "../config/index.js";
import { answerMetricsCollection, clusterMetricsText } from "../cluster/cluster-metrics.js";
import { runPrimary } from "../cluster/primary.js";
import { crossSectionIssues } from "../config/cross-section.js";
import { listen } from "../listen.js";
import { Lifecycle } from "../lifecycle/lifecycle.js";
import { flushLogs, jsonLogger } from "../observability/log.js";
import { parse, parsePort, UsageError } from "./args.js";

/** --workers: an integer 1..256 or "auto". */
function parseWorkers(value: string | undefined): number | "auto" | undefined {
  if (value === undefined || value === "auto") return value;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError(`--workers: ${JSON.stringify(value)} is not an integer in 1..256 or "auto"`);
  return n;
}

export async function serve(args: string[]): Promise<void> {
  const { values } = parse(args, { config: { type: "string", short: "c" }, port: { type: "string", short: "p" }, bind: { type: "string" }, workers: { type: "string" } }, []);
  const port = parsePort(values.port, "--port");
  const workersFlag = parseWorkers(values.workers);
  if (values.bind !== undefined && values.bind !== "localhost" && isIP(values.bind) === 0) {
    throw new UsageError(`--bind: ${JSON.stringify(values.bind)} is not an IP address or "localhost"`);
  }
  const config = values.config ? await loadConfigFile(values.config, process.env) : loadDefaultConfig(process.env);
  if (port !== undefined) config.server.port = port;
  if (values.bind !== undefined) config.server.bind = values.bind;
  const unsafe = unsafeBindReason(config);
  if (unsafe) throw new ConfigError(values.config ?? DEFAULT_CONFIG_SOURCE, [{ path: "server.bind", message: unsafe.replace(/^server\.bind: /, "") }]);
  if (workersFlag !== undefined) {
    config.server.workers = workersFlag;
    const issues = crossSectionIssues(config);
    if (issues.length > 0) throw new ConfigError(values.config ?? DEFAULT_CONFIG_SOURCE, issues.map((i) => ({ ...i, path: `${i.path} (--workers)` })));
  }
  const workers = config.server.workers === "auto" ? availableParallelism() : config.server.workers;
  if (workers > 1 && cluster.isPrimary) {
    // The primary supervises; every worker runs this same command and serves the port.
    return runPrimary({ workers, shutdownGraceMs: config.server.shutdown_grace_ms, log: jsonLogger() });
  }

  // Lifecycle lines (listening, reloaded, draining, stopped) always print: tools parse them. Access lines follow log_level.
  const log = jsonLogger();
  const source = values.config ?? DEFAULT_CONFIG_SOURCE;
  // Aborted when the shutdown grace period ends: calls still running end with UNAVAILABLE (safe to retry elsewhere).
  const shutdown = new AbortController();
  // The listener's handler reads the current app per request; a reload swaps it (server/lifecycle).
  const lifecycle = new Lifecycle({
    path: values.config,
    source,
    env: process.env,
    overrides: (c) => {
      if (port !== undefined) c.server.port = port;
      if (values.bind !== undefined) c.server.bind = values.bind;
      if (workersFlag !== undefined) c.server.workers = workersFlag;
    },
    shutdownSignal: shutdown.signal,
    log,
    // A worker's /metrics serves every worker's metrics, merged by the primary.
    ...(cluster.isWorker && { metricsText: clusterMetricsText }),
  });
  if (cluster.isWorker) answerMetricsCollection(() => lifecycle.app.metricsRegistry);
  await lifecycle.start(config);
  const listener = await listen(lifecycle.generations.handler, config.server.bind, config.server.port, {
    maxHeaderBytes: config.server.max_header_bytes,
    maxConcurrentStreams: config.server.max_concurrent_streams,
  });

  let stopping = false;
  // SIGHUP: reload the config file; a bad one is logged (every problem) and the running config stays.
  process.on("SIGHUP", () => {
    if (stopping) return;
    lifecycle.reload().catch((err: Error) => {
      const problems = err instanceof ConfigError ? err.issues.map((i) => `${i.path}: ${i.message}`) : [err.message];
      log.log("error", "reload failed; the running config stays", { signal: "SIGHUP", config: source, problems, error: err.message });
    });
  });
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const app = lifecycle.app;
    const grace = app.config.server.shutdown_grace_ms;
    log.log("info", "draining", { signal, in_flight: listener.inFlight(), grace_ms: grace });
    for (const [service] of app.health.entries()) app.health.set(service, "NOT_SERVING");
    await listener.close(grace, () => shutdown.abort(new ConnectError("server is shutting down", Code.Unavailable)));
    await lifecycle.close();
    log.log("info", "stopped", { signal });
    flushLogs();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
  // A worker whose primary is gone (kill -9) drains and exits instead of serving unsupervised.
  if (cluster.isWorker) process.on("disconnect", () => void stop("primary gone"));
  // Announced only once every signal handler is in place: whoever waits for this line may signal
  // at once (a SIGHUP before its handler exists would terminate the process).
  const providers = config.providers.filter((p) => p.enabled).map((p) => p.name);
  // A worker's line has no "port": tools wait for the primary's "listening" line, printed once every worker listens.
  if (cluster.isWorker) log.log("info", "worker listening", { worker_pid: process.pid, address: listener.address, config: source, providers });
  else log.log("info", "listening", { address: listener.address, port: listener.port, pid: process.pid, config: source, providers });
}
