// Builds one hoosh app from a config, by concern: observability, routing (providers, router,
// health), budgets (store, ledger, limits, accounting), the inference core, background work
// (hardware detection, probes), auth, MCP, and the edges (app/*.ts). Everything started goes on
// one Cleanup, the single path for a build that fails halfway and for close(). No globals:
// tests build several apps.
import type { ConnectRouter, Interceptor } from "@connectrpc/connect";
import type { Registry } from "prom-client";
import { Auth } from "./auth/authorize.js";
import { keyOf } from "./auth/interceptor.js";
import type { Config } from "./config/index.js";
import { HealthProber } from "./core/health-prober.js";
import { HealthStatus } from "./core/health-status.js";
import { excludeUnfitLocalModels } from "./core/local-fit.js";
import { LocalPlacements } from "./core/local-placements.js";
import { ModelMetadata } from "./core/model-metadata.js";
import { ModelCatalog } from "./core/model-catalog.js";
import { publishLoading, publishProviderHealth } from "./core/provider-health-status.js";
import { Speech } from "./core/speech.js";
import { watchSpeechEngines } from "./core/speech-engines.js";
import { Transcription } from "./core/transcribe.js";
import { HardwareDetector } from "./hardware/detect.js";
import { createMcp, type McpRuntimeRef } from "./mcp/index.js";
import type { AuditLog } from "./observability/audit-log.js";
import { Observability } from "./observability/index.js";
import { jsonLogger, silentLogger, type Logger } from "./observability/log.js";
import { resolveModelPath } from "./providers/local/config.js";
import { modelsDir } from "./engines/data-dir.js";
import type { RestDeps, RestHandler } from "./rest/handler.js";
import type { ReloadOutcome } from "./rpc/admin.js";
import type { OpenedStore } from "./store/open-budget-store.js";
import { buildBudgets } from "./app/budgets.js";
import { Cleanup } from "./app/cleanup.js";
import { buildEdges, SERVICES } from "./app/edges.js";
import { buildInference } from "./app/inference.js";
import { buildRouting } from "./app/routing.js";
import { buildRequestLog } from "./app/requests.js";
import { KeyAdmin } from "./core/keys/admin.js";

const HARDWARE_DETECTION_DELAY_MS = 1000;

export interface App {
  config: Config;
  /** Non-RPC HTTP edges (OpenAI/Anthropic JSON, REST transcoding), tried in order before the 404. */
  rest: RestHandler[];
  /** The core the REST edges use (also handy for in-process tests). */
  restDeps: RestDeps;
  health: HealthStatus;
  routes: (router: ConnectRouter) => void;
  /** API keys and scopes ([[keys]]); requireScope guards endpoints outside the edges (e.g. /metrics). */
  auth: Auth;
  /** Interceptors the Connect adapter must run (auth, stream duration). */
  interceptors: Interceptor[];
  /** Names of the hoosh.v1 services this app serves (for health). */
  services: string[];
  /** The hash-chained audit log (a reload hands it to the next app when its settings are unchanged). */
  audit: AuditLog;
  /** MCP servers and /mcp sessions (a reload hands them to the next app when [[mcp_servers]] and [mcp] are unchanged). */
  mcp: McpRuntimeRef;
  /** This app's metrics (a worker process answers its primary's collection with the current app's). */
  metricsRegistry: Registry;
  /** Called when a newer generation replaces this app (before it closes). */
  retire?(): void;
  close(): Promise<void>;
}

export interface AppOptions {
  /** Where the config came from, for startup errors. */
  source: string;
  /** Where access log lines go (serve: stdout); none by default. */
  logger?: Logger;
  /** A budget store to use instead of opening [store] (config reload keeps the ledger's state); app.close() closes this handle. */
  budgetStore?: OpenedStore;
  /** The server's config reload, for AdminService.ReloadConfig (set by `hoosh serve`). */
  reload?: (configToml?: string) => Promise<ReloadOutcome>;
  /** An audit log to continue (config reload with unchanged audit settings). */
  audit?: AuditLog;
  /** The running app's MCP runtime, kept when [[mcp_servers]] and [mcp] are unchanged. */
  mcp?: McpRuntimeRef;
  /** What /metrics serves instead of this app's registry (a worker process: every worker's, merged). */
  metricsText?: () => Promise<string>;
}

export async function buildApp(config: Config, options: AppOptions): Promise<App> {
  const cleanup = new Cleanup();
  return cleanup.guard(async () => {
    // Metrics, access logs, traces, audit; its admin endpoints use the auth module's admin check.
    const obs = await Observability.create(config, { logger: options.logger, requireAdmin: (h) => auth.requireScope(h, "admin"), actorOf: (ctx) => keyOf(ctx)?.id, audit: options.audit, metricsText: options.metricsText });
    cleanup.add(() => obs.close());
    // hoosh's own warnings and errors (accounting, stores, MCP); access lines go to options.logger.
    const logger = jsonLogger();
    // Managed engines (speech) write their lines into hoosh's log.
    const routing = buildRouting(config, obs, options.source, cleanup, (level, msg, fields) => options.logger?.log(level, msg, fields));
    const budgets = await buildBudgets(config, obs, routing, { source: options.source, budgetStore: options.budgetStore, logger }, cleanup);
    // One record per request ([log]), handed over by the measuring decorator of every edge.
    const requestLog = buildRequestLog(config, budgets.opened, logger, cleanup);
    obs.requests = requestLog;
    // What each model can do and holds (data/models.json): the catalog shows it, the core checks windows with it.
    const models = new ModelMetadata();
    const inference = await buildInference(config, routing, budgets, obs, logger, cleanup, models);
    const catalog = new ModelCatalog(routing.router, routing.health, undefined, undefined, models);
    const transcription = new Transcription(routing.router, { maxAudioBytes: config.server.max_audio_bytes }, budgets.accounting);
    const speech = new Speech(routing.router, budgets.accounting);

    const localPlacements = new LocalPlacements();
    const hardware = startHardware(config, routing, options.source, logger, cleanup, localPlacements);
    const health = new HealthStatus([["", "SERVING"], ...SERVICES.map((s) => [s.typeName, "SERVING"] as const)]);
    const providerNames = routing.providers.map((p) => p.name);
    publishProviderHealth(routing.health, health, providerNames);
    publishLoading(routing.providers, routing.health, health);
    watchSpeechEngines(routing.providers, routing.health, health);
    obs.watchHealth(routing.health, providerNames);
    const prober = new HealthProber(
      routing.providers.map((p) => ({ provider: p, intervalMs: routing.byName.get(p.name)?.probe_interval_ms ?? 0 })),
      routing.health,
    );
    prober.start();
    cleanup.add(() => prober.stop());

    // Every model a request reaches (aliases, fallbacks) is checked against its key.
    const auth = new Auth(config.keys, config.auth, { directory: budgets.directory, limiter: budgets.rateLimiter, reach: (model, hints) => routing.router.reach(model, hints) });
    // KeysService: keys and teams made at run time, in the store; [[keys]] listed read-only.
    const keys = new KeyAdmin({
      store: budgets.opened.keys,
      ledger: budgets.ledger,
      configKeys: config.keys,
      refresh: () => budgets.directory.refresh(),
      pendingUse: (id) => budgets.directory.pendingUse(id),
    });
    // [[mcp_servers]]: their tools over ToolsService, /v1/tools/* and hoosh's own /mcp endpoint.
    const mcp = createMcp(config, {
      auth,
      windows: budgets.windows,
      accessLog: options.logger ?? silentLogger,
      audit: obs.audit,
      log: (level, msg, fields) => logger.log(level, msg, fields),
      runtime: options.mcp,
      requests: requestLog,
    });
    cleanup.add(() => mcp.runtime.release());
    const providers = routing.providers.map((p) => ({ name: p.name, type: routing.byName.get(p.name)?.type ?? "" }));
    const managedModels = { dir: modelsDir(process.env), configured: localModelPaths(config, options.source) };
    const edges = buildEdges(config, { auth, inference, catalog, transcription, speech, budgets, keys, requestLog, hardware, health, providerHealth: routing.health, localPlacements, providers, mcp, obs, logger, reload: options.reload, managedModels });

    return {
      config,
      audit: obs.audit,
      rest: edges.rest,
      restDeps: edges.restDeps,
      health,
      services: SERVICES.map((s) => s.typeName),
      routes: edges.routes,
      auth,
      interceptors: edges.interceptors,
      mcp: mcp.runtime,
      metricsRegistry: obs.metrics.registry,
      retire: () => {
        mcp.runtime.retire();
        requestLog?.retire();
      },
      close: () => cleanup.run(),
    };
  });
}

function localProviders(config: Config) {
  return config.providers.filter((p) => p.enabled && p.type === "local" && p.local);
}

/** Resolved model files of the configured local models (and whisper engines), which RecommendPlacement may open. */
function localModelPaths(config: Config, source: string): string[] {
  const whisper = config.providers.flatMap((p) => (p.enabled && p.whisper ? [p.whisper.model_path] : []));
  return [...localProviders(config).map((p) => p.local!.model_path), ...whisper].map((p) => resolveModelPath(p, source));
}

/**
 * Hardware detection in the background (the server answers before it ends), started a second after
 * the app (its child processes cost CPU a starting server needs), or at once when something asks
 * for it (GetHardware, local models to place); local models that do not fit this machine's free
 * memory are taken out of routing once it has ended.
 */
function startHardware(config: Config, routing: ReturnType<typeof buildRouting>, source: string, logger: Logger, cleanup: Cleanup, placements: LocalPlacements): HardwareDetector {
  const hardware = new HardwareDetector();
  const later = setTimeout(() => hardware.start(), HARDWARE_DETECTION_DELAY_MS);
  later.unref();
  cleanup.add(() => {
    clearTimeout(later);
    hardware.close();
  });
  const localModels = localProviders(config).map((p) => ({ provider: p.name, modelPath: resolveModelPath(p.local!.model_path, source), contextSize: p.local!.context_size, sequences: p.local!.sequences }));
  void excludeUnfitLocalModels(localModels, () => hardware.whenDetected(), routing.health, (level, msg, fields) => logger.log(level, msg, fields), placements);
  return hardware;
}
