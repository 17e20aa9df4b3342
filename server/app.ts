// Builds one hoosh app from a config: transport, providers, router, core
// services and the Connect routes. No globals: tests build several apps.
import type { ConnectRouter } from "@connectrpc/connect";
import type { DescService } from "@bufbuild/protobuf";
import { BudgetService } from "../gen/ts/hoosh/v1/budget_pb.js";
import { HardwareService } from "../gen/ts/hoosh/v1/hardware_pb.js";
import { InferenceService } from "../gen/ts/hoosh/v1/inference_pb.js";
import { ModelsService } from "../gen/ts/hoosh/v1/models_pb.js";
import { TranscribeService } from "../gen/ts/hoosh/v1/transcribe_pb.js";
import { ConfigError, type Config } from "./config/index.js";
import { applyConfigPools } from "./core/budget/config-pools.js";
import { BudgetLedger } from "./core/budget/ledger.js";
import { startBudgetSweeper } from "./core/budget/sweeper.js";
import { HealthStatus } from "./core/health-status.js";
import { Inference } from "./core/inference.js";
import { LatencyTracker } from "./core/latency.js";
import { ModelCatalog } from "./core/model-catalog.js";
import { HealthProber } from "./core/health-prober.js";
import { ProviderHealth } from "./core/provider-health.js";
import { publishProviderHealth } from "./core/provider-health-status.js";
import { ProviderLimits } from "./core/provider-limits.js";
import { Router } from "./core/router.js";
import { Transcription } from "./core/transcribe.js";
import { HardwareDetector } from "./hardware/detect.js";
import { createProvider } from "./providers/factory.js";
import type { Provider } from "./providers/provider.js";
import { Transport } from "./providers/transport.js";
import type { RestDeps, RestHandler } from "./rest/handler.js";
import { createAnthropicRest } from "./rest/anthropic/index.js";
import { createOpenAINotFound, createOpenAIRest } from "./rest/openai/index.js";
import { createTranscoder } from "./rest/transcode/index.js";
import { MemoryBudgetStore } from "./store/memory/budget-store.js";
import { registerBudget } from "./rpc/budget.js";
import { createHardwareService } from "./rpc/hardware.js";
import { registerHealth } from "./rpc/health.js";
import { createInferenceService } from "./rpc/inference.js";
import { createModelsService } from "./rpc/models.js";
import { registerReflection } from "./rpc/reflection.js";
import { createTranscribeService } from "./rpc/transcribe.js";

/** Limits on requests that are not yet in the config file. */
const MAX_MESSAGES = 2048;
const MAX_EMBED_INPUTS = 2048;

export interface App {
  config: Config;
  /** Non-RPC HTTP edges (OpenAI/Anthropic JSON, REST transcoding), tried in order before the 404. */
  rest: RestHandler[];
  /** The core the REST edges use (also handy for in-process tests). */
  restDeps: RestDeps;
  health: HealthStatus;
  routes: (router: ConnectRouter) => void;
  /** Names of the hoosh.v1 services this app serves (for health). */
  services: string[];
  close(): Promise<void>;
}

export interface AppOptions {
  /** Where the config came from, for startup errors. */
  source: string;
}

export async function buildApp(config: Config, options: AppOptions): Promise<App> {
  const transport = new Transport();
  const providers: Provider[] = [];
  const routes = config.providers.flatMap((p, i) => {
    if (!p.enabled) return [];
    const provider = createProvider(p, i, transport, options.source);
    providers.push(provider);
    return [{ provider, models: p.models, priority: p.priority, weight: p.weight }];
  });

  const byName = new Map(config.providers.map((p) => [p.name, p]));
  const latency = new LatencyTracker();
  const providerHealth = new ProviderHealth((name) => {
    const breaker = byName.get(name)?.breaker;
    return { failures: breaker?.failures ?? 5, cooldownMs: breaker?.cooldown_ms ?? 30_000 };
  });
  const providerLimits = new ProviderLimits((name) => {
    const p = byName.get(name);
    return { maxConcurrency: p?.max_concurrency, rpm: p?.rpm, tpm: p?.tpm };
  });
  const router = new Router(routes, config.router.strategy, latency, Math.random, config.aliases, providerHealth);
  const inference = new Inference(
    router,
    providerHealth,
    latency,
    {
      fallback: config.router.fallback,
      maxAttempts: config.router.max_attempts,
      backoffMs: config.router.backoff_ms,
      backoffMaxMs: config.router.backoff_max_ms,
      maxRetryAfterMs: config.router.max_retry_after_ms,
      limits: { maxMessages: MAX_MESSAGES, maxEmbedInputs: MAX_EMBED_INPUTS },
    },
    providerLimits,
  );
  const prober = new HealthProber(
    providers.map((p) => ({ provider: p, intervalMs: byName.get(p.name)?.probe_interval_ms ?? 0 })),
    providerHealth,
  );
  const catalog = new ModelCatalog(router, providerHealth);
  const transcription = new Transcription(router);

  const ledger = new BudgetLedger(new MemoryBudgetStore());
  try {
    await applyConfigPools(ledger, config.budgets);
  } catch (err) {
    // The schema already checked budgets; this catches what only the ledger knows.
    throw new ConfigError(options.source, [{ path: "budgets", message: (err as Error).message }]);
  }
  const stopSweeper = startBudgetSweeper(ledger);
  // Detection runs in the background: the server answers before it ends.
  const hardware = new HardwareDetector();
  hardware.start();

  const services: DescService[] = [InferenceService, ModelsService, TranscribeService, BudgetService, HardwareService];
  const health = new HealthStatus([["", "SERVING"], ...services.map((s) => [s.typeName, "SERVING"] as const)]);
  publishProviderHealth(providerHealth, health, providers.map((p) => p.name));
  prober.start();
  const timeout = config.server.request_timeout_ms;

  const restDeps: RestDeps = {
    inference,
    catalog,
    transcription,
    maxBodyBytes: config.server.max_body_bytes,
    requestTimeoutMs: timeout,
  };
  const connectRoutes = (r: ConnectRouter): void => {
    r.service(InferenceService, createInferenceService(inference, timeout));
    r.service(ModelsService, createModelsService(catalog));
    r.service(TranscribeService, createTranscribeService(transcription, timeout));
    registerBudget(r, ledger);
    r.service(HardwareService, createHardwareService(hardware));
    registerHealth(r, health);
    registerReflection(r, { services });
  };
  // Each edge answers only its own paths: Anthropic /v1/messages*, OpenAI /v1/*, native REST
  // /hoosh/v1/* (google.api.http, through the same Connect handlers); the OpenAI-shaped 404 closes /v1/*.
  const rest: RestHandler[] = [
    createAnthropicRest(restDeps),
    createOpenAIRest(restDeps),
    createTranscoder({ routes: connectRoutes, services, maxBodyBytes: config.server.max_body_bytes }),
    createOpenAINotFound(restDeps),
  ];

  return {
    config,
    rest,
    restDeps,
    health,
    services: services.map((s) => s.typeName),
    routes: connectRoutes,
    async close() {
      stopSweeper();
      prober.stop();
      hardware.close();
      await Promise.all(providers.map((p) => p.close()));
      await transport.close();
    },
  };
}
