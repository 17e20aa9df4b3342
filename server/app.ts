// Builds one hoosh app from a config: transport, providers, router, core
// services and the Connect routes. No globals: tests build several apps.
import { ConnectError, type ConnectRouter, type Interceptor } from "@connectrpc/connect";
import type { DescService } from "@bufbuild/protobuf";
import { AdminService } from "../gen/ts/hoosh/v1/admin_pb.js";
import { BudgetService } from "../gen/ts/hoosh/v1/budget_pb.js";
import { HardwareService } from "../gen/ts/hoosh/v1/hardware_pb.js";
import { InferenceService } from "../gen/ts/hoosh/v1/inference_pb.js";
import { ModelsService } from "../gen/ts/hoosh/v1/models_pb.js";
import { TranscribeService } from "../gen/ts/hoosh/v1/transcribe_pb.js";
import { ToolsService } from "../gen/ts/hoosh/v1/tools_pb.js";
import { Auth } from "./auth/authorize.js";
import { budgetCaller } from "./auth/budget-access.js";
import { authInterceptor, keyOf } from "./auth/interceptor.js";
import { streamDurationInterceptor } from "./auth/limits.js";
import { guardedDeps } from "./auth/guarded-core.js";
import { restGate } from "./auth/rest.js";
import { ConfigError, type Config } from "./config/index.js";
import { Accounting } from "./core/accounting/accounting.js";
import { applyConfigPools } from "./core/budget/config-pools.js";
import { BudgetLedger } from "./core/budget/ledger.js";
import { startBudgetSweeper } from "./core/budget/sweeper.js";
import type { AuditLog } from "./observability/audit-log.js";
import { HealthStatus } from "./core/health-status.js";
import { Inference } from "./core/inference.js";
import { LatencyTracker } from "./core/latency.js";
import { ModelCatalog } from "./core/model-catalog.js";
import { HealthProber } from "./core/health-prober.js";
import { excludeUnfitLocalModels } from "./core/local-fit.js";
import { resolveModelPath } from "./providers/local/config.js";
import { ProviderHealth } from "./core/provider-health.js";
import { publishProviderHealth } from "./core/provider-health-status.js";
import { ProviderLimits } from "./core/provider-limits.js";
import { limitsByName, RateLimiter } from "./core/rate-limit/limiter.js";
import { openRateWindows } from "./core/rate-limit/open.js";
import { Router } from "./core/router.js";
import { Transcription } from "./core/transcribe.js";
import { HardwareDetector } from "./hardware/detect.js";
import { jsonLogger } from "./observability/log.js";
import { createProvider } from "./providers/factory.js";
import type { Provider } from "./providers/provider.js";
import { Transport } from "./providers/transport.js";
import type { RestDeps, RestHandler } from "./rest/handler.js";
import { createAnthropicRest } from "./rest/anthropic/index.js";
import { createOpenAINotFound, createOpenAIRest } from "./rest/openai/index.js";
import { createTranscoder } from "./rest/transcode/index.js";
import { createToolsRest } from "./rest/tools/index.js";
import { Observability } from "./observability/index.js";
import type { Logger } from "./observability/log.js";
import { ResponseCache } from "./core/cache/response-cache.js";
import { failOpenWindows } from "./core/rate-limit/fail-open.js";
import { semanticLookup, semanticModelOf } from "./core/cache/semantic-config.js";
import { CacheHitRecorder } from "./core/accounting/cache-hits.js";
import { openBudgetStore, type OpenedStore } from "./store/open-budget-store.js";
import { openSharedCache } from "./store/redis/cache-open.js";
import { registerSharedCacheMetrics } from "./store/redis/cache-metrics.js";
import { createAdminService, type ReloadOutcome } from "./rpc/admin.js";
import { registerBudget } from "./rpc/budget.js";
import { createHardwareService } from "./rpc/hardware.js";
import { registerHealth } from "./rpc/health.js";
import { createInferenceService } from "./rpc/inference.js";
import { createModelsService } from "./rpc/models.js";
import { registerReflection } from "./rpc/reflection.js";
import { createTranscribeService } from "./rpc/transcribe.js";
import { createToolsService } from "./rpc/tools.js";
import { createMcp, type McpRuntimeRef } from "./mcp/index.js";
import { silentLogger } from "./observability/log.js";

/** Limits on requests that are not yet in the config file. */
const MAX_EMBED_INPUTS = 2048;

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
}

export async function buildApp(config: Config, options: AppOptions): Promise<App> {
  // Metrics, access logs, traces, audit; its admin endpoints use the auth module's admin check.
  const obs = await Observability.create(config, { logger: options.logger, requireAdmin: (h) => auth.requireScope(h, "admin"), actorOf: (ctx) => keyOf(ctx)?.id, audit: options.audit });
  // The environment's HTTPS_PROXY / NO_PROXY and cloud credentials (AWS_*, GOOGLE_APPLICATION_CREDENTIALS).
  const transport = new Transport(process.env);
  const providers: Provider[] = [];
  const routes = config.providers.flatMap((p, i) => {
    if (!p.enabled) return [];
    const provider = obs.provider(createProvider(p, i, transport, options.source, process.env));
    providers.push(provider);
    return [{ provider, models: p.models, priority: p.priority, weight: p.weight }];
  });

  const byName = new Map(config.providers.map((p) => [p.name, p]));
  const latency = new LatencyTracker();
  const providerHealth = new ProviderHealth((name) => {
    const breaker = byName.get(name)?.breaker;
    return { failures: breaker?.failures ?? 5, cooldownMs: breaker?.cooldown_ms ?? 30_000 };
  });
  const router = new Router(routes, config.router.strategy, latency, Math.random, config.aliases, providerHealth);
  const semanticModel = semanticModelOf(config.cache);
  if (semanticModel !== undefined) {
    try {
      router.targets(semanticModel);
    } catch (err) {
      await Promise.all(providers.map((p) => p.close()));
      await Promise.all([transport.close(), obs.close()]);
      throw new ConfigError(options.source, [{ path: "cache.semantic_model", message: ConnectError.from(err).rawMessage }]);
    }
  }
  const opened = options.budgetStore ?? (await openBudgetStore(config.store, options.source));
  const budgetStore = opened.store;
  const ledger = obs.ledger(new BudgetLedger(budgetStore));
  const logger = jsonLogger();
  // [[keys]] and [[budgets]] rpm/tpm, over windows shared by the replicas when [store] is Redis.
  const rateWindows = await openRateWindows(config.store, budgetStore).catch(async (err: unknown) => {
    if (!options.budgetStore) await opened.close();
    throw new ConfigError(options.source, [{ path: "store.url", message: `cannot open the redis rate windows: ${(err as Error).message}` }]);
  });
  const failOpen = config.store.on_unavailable === "fail-open";
  const windows = failOpen ? failOpenWindows(rateWindows.windows, (level, msg, fields) => logger.log(level, msg, fields)) : rateWindows.windows;
  // Provider rpm/tpm count every replica's calls when [store] is Redis; memory keeps its own windows.
  const providerLimits = new ProviderLimits(
    (name) => {
      const p = byName.get(name);
      return { maxConcurrency: p?.max_concurrency, rpm: p?.rpm, tpm: p?.tpm };
    },
    Date.now,
    config.store.kind === "redis" ? windows : undefined,
  );
  const rateLimiter = new RateLimiter(windows, {
    keys: limitsByName(config.keys, (k) => k.id),
    pools: limitsByName(config.budgets, (b) => b.name),
    log: (level, msg, fields) => logger.log(level, msg, fields),
  });
  const accounting = new Accounting({
    ledger,
    outbox: opened.outbox,
    requestTimeoutMs: config.server.request_timeout_ms,
    log: (level, msg, fields) => logger.log(level, msg, fields),
    rate: rateLimiter,
    failOpen,
  });
  // [store] kind = "redis" with [cache] shared: a response cache tier shared by replicas (fails open).
  const sharedCache = await openSharedCache(config, (level, msg, fields) => logger.log(level, msg, fields));
  const inference = new Inference({
    router,
    health: providerHealth,
    latency,
    options: {
      fallback: config.router.fallback,
      maxAttempts: config.router.max_attempts,
      backoffMs: config.router.backoff_ms,
      backoffMaxMs: config.router.backoff_max_ms,
      maxRetryAfterMs: config.router.max_retry_after_ms,
      limits: { maxMessages: config.server.max_messages, maxEmbedInputs: MAX_EMBED_INPUTS },
      chargeCacheHits: config.cache.charge_hits,
    },
    providerLimits,
    accounting,
    cache:
      config.cache.mode === "off"
        ? undefined
        : new ResponseCache({
            mode: config.cache.mode,
            scope: config.cache.scope,
            maxBytes: config.cache.max_bytes,
            defaultTtlSeconds: config.cache.default_ttl_seconds,
            maxTtlSeconds: config.cache.max_ttl_seconds,
            shared: sharedCache?.tier,
            sharedMaxEntryBytes: config.cache.shared_max_entry_bytes,
          }),
    cacheHits: new CacheHitRecorder(ledger, (s) => accounting.recordUnreserved(s), (level, msg, fields) => logger.log(level, msg, fields)),
    semantic: semanticLookup(config.cache, (level, msg, fields) => logger.log(level, msg, fields)),
  });
  if (sharedCache) registerSharedCacheMetrics(obs.metrics.registry, () => inference.cacheStats());
  const prober = new HealthProber(
    providers.map((p) => ({ provider: p, intervalMs: byName.get(p.name)?.probe_interval_ms ?? 0 })),
    providerHealth,
  );
  const catalog = new ModelCatalog(router, providerHealth);
  const transcription = new Transcription(router, { maxAudioBytes: config.server.max_audio_bytes });

  try {
    await applyConfigPools(ledger, config.budgets);
  } catch (err) {
    // The schema already checked budgets; this catches what only the ledger knows.
    // Nothing is started yet: release what was opened (a reload keeps running the old app).
    await Promise.all(providers.map((p) => p.close()));
    await Promise.all([transport.close(), obs.close(), options.budgetStore ? undefined : opened.close(), sharedCache?.close(), rateWindows.close()]);
    throw new ConfigError(options.source, [{ path: "budgets", message: (err as Error).message }]);
  }
  const stopSweeper = startBudgetSweeper(ledger);
  // Usage a previous process (or a reload's predecessor) left waiting for the store.
  accounting.start();
  obs.metrics.outboxPending = () => opened.outbox.count();
  // Detection runs in the background: the server answers before it ends.
  const hardware = new HardwareDetector();
  hardware.start();
  // Local models that do not fit this machine's free memory are taken out of routing once detection ends.
  const localModels = config.providers
    .filter((p) => p.enabled && p.type === "local" && p.local)
    .map((p) => ({ provider: p.name, modelPath: resolveModelPath(p.local!.model_path, options.source), contextSize: p.local!.context_size, sequences: p.local!.sequences }));
  void excludeUnfitLocalModels(localModels, () => hardware.whenDetected(), providerHealth, (level, msg, fields) => logger.log(level, msg, fields));

  const services: DescService[] = [InferenceService, ModelsService, TranscribeService, BudgetService, HardwareService, AdminService, ToolsService];
  const health = new HealthStatus([["", "SERVING"], ...services.map((s) => [s.typeName, "SERVING"] as const)]);
  publishProviderHealth(providerHealth, health, providers.map((p) => p.name));
  obs.watchHealth(providerHealth, providers.map((p) => p.name));
  prober.start();
  const timeout = config.server.request_timeout_ms;

  // Every model a request reaches (aliases, fallbacks) is checked against its key.
  const auth = new Auth(config.keys, config.auth, { limiter: rateLimiter, reach: (model, hints) => router.reach(model, hints) });
  const interceptors = [authInterceptor(auth), streamDurationInterceptor(config.server.max_stream_duration_ms ?? timeout)];
  // [[mcp_servers]]: their tools over ToolsService, /v1/tools/* and hoosh's own /mcp endpoint.
  const mcp = createMcp(config, {
    auth,
    windows,
    accessLog: options.logger ?? silentLogger,
    audit: obs.audit,
    log: (level, msg, fields) => logger.log(level, msg, fields),
    runtime: options.mcp,
  });
  const restDeps: RestDeps = {
    inference: obs.inference(inference, "rest"),
    catalog,
    transcription,
    maxBodyBytes: config.server.max_body_bytes,
    requestTimeoutMs: timeout,
  };
  const rpcInference = obs.inference(inference, "rpc");
  const connectRoutes = (r: ConnectRouter): void => {
    r.service(InferenceService, createInferenceService(rpcInference, timeout));
    r.service(ModelsService, createModelsService(catalog));
    r.service(TranscribeService, createTranscribeService(transcription, timeout));
    registerBudget(r, ledger, {
      authorizeAdmin: (ctx) => auth.authorize(keyOf(ctx), "admin"),
      audit: obs.auditAdmin,
      caller: budgetCaller,
      reservation: (id) => budgetStore.getReservation(id),
      log: (level, msg, fields) => logger.log(level, msg, fields),
    });
    r.service(HardwareService, createHardwareService(hardware));
    r.service(AdminService, createAdminService({ reload: options.reload, verifyAudit: () => obs.audit.verify(), audit: obs.auditAdmin }));
    registerHealth(r, health);
    r.service(ToolsService, createToolsService(mcp.tools, timeout));
    registerReflection(r, { services });
  };
  // Each edge answers only its own paths: Anthropic /v1/messages*, OpenAI /v1/*, native REST
  // /hoosh/v1/* (google.api.http, through the same Connect handlers); the OpenAI-shaped 404 closes /v1/*.
  const guarded = guardedDeps(restDeps, auth);
  const rest: RestHandler[] = [
    ...obs.rest(),
    // /mcp and /v1/tools/* check keys themselves (scope "tools"), so they come before the /v1 gate.
    ...(mcp.endpoint ? [mcp.endpoint] : []),
    createToolsRest(createTranscoder({ routes: connectRoutes, services: [ToolsService], maxBodyBytes: config.server.max_body_bytes, interceptors })),
    restGate(auth),
    createAnthropicRest(guarded),
    createOpenAIRest(guarded),
    createTranscoder({ routes: connectRoutes, services, maxBodyBytes: config.server.max_body_bytes, interceptors }),
    createOpenAINotFound(restDeps),
  ];

  return {
    config,
    audit: obs.audit,
    rest,
    restDeps,
    health,
    services: services.map((s) => s.typeName),
    routes: connectRoutes,
    auth,
    interceptors,
    mcp: mcp.runtime,
    retire: () => mcp.runtime.retire(),
    async close() {
      stopSweeper();
      prober.stop();
      hardware.close();
      await Promise.all(providers.map((p) => p.close()));
      await transport.close();
      await obs.close();
      // Settlements waiting for an unreachable store get a last try before the store closes.
      await accounting.close();
      await opened.close();
      await rateWindows.close();
      await sharedCache?.close();
      await mcp.runtime.release();
    },
  };
}
