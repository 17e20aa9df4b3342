// The edges of an app over its core: the Connect routes (every hoosh.v1 service, health,
// reflection), the interceptors they run (auth, stream duration), and the REST chain (metrics and
// audit endpoints, the web console's files, /mcp and /v1/tools/*, the /v1 auth gate, Anthropic,
// OpenAI, google.api.http transcoding, the OpenAI-shaped 404).
import type { DescService } from "@bufbuild/protobuf";
import type { ConnectRouter, HandlerContext, Interceptor } from "@connectrpc/connect";
import type { ManagedModels } from "../hardware/managed-models.js";
import { AdminService } from "../../gen/ts/hoosh/v1/admin_pb.js";
import { BudgetService } from "../../gen/ts/hoosh/v1/budget_pb.js";
import { HardwareService } from "../../gen/ts/hoosh/v1/hardware_pb.js";
import { InferenceService } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { ModelsService } from "../../gen/ts/hoosh/v1/models_pb.js";
import { SpeechService } from "../../gen/ts/hoosh/v1/speech_pb.js";
import { TranscribeService } from "../../gen/ts/hoosh/v1/transcribe_pb.js";
import { ToolsService } from "../../gen/ts/hoosh/v1/tools_pb.js";
import { KeysService } from "../../gen/ts/hoosh/v1/keys_pb.js";
import { RequestLogService } from "../../gen/ts/hoosh/v1/requests_pb.js";
import type { KeyAdmin } from "../core/keys/admin.js";
import type { RequestLog } from "../core/requests/log.js";
import { createKeysService } from "../rpc/keys.js";
import { createRequestLogService } from "../rpc/requests.js";
import { usageCsvEndpoint } from "../rest/usage-csv.js";
import type { Auth } from "../auth/authorize.js";
import { budgetCaller } from "../auth/budget-access.js";
import { guardedDeps } from "../auth/guarded-core.js";
import { authInterceptor, keyOf } from "../auth/interceptor.js";
import { streamDurationInterceptor } from "../auth/limits.js";
import { restGate } from "../auth/rest.js";
import type { Config } from "../config/index.js";
import type { HealthStatus } from "../core/health-status.js";
import type { LocalPlacements } from "../core/local-placements.js";
import type { ProviderHealth } from "../core/provider-health.js";
import type { Inference } from "../core/inference.js";
import type { ModelCatalog } from "../core/model-catalog.js";
import type { Speech } from "../core/speech.js";
import type { Transcription } from "../core/transcribe.js";
import type { HardwareDetector } from "../hardware/detect.js";
import type { createMcp } from "../mcp/index.js";
import type { Observability } from "../observability/index.js";
import type { Logger } from "../observability/log.js";
import { createAnthropicRest } from "../rest/anthropic/index.js";
import { consoleEnabled, createConsoleRest } from "../rest/console/index.js";
import type { RestDeps, RestHandler } from "../rest/handler.js";
import { createOpenAINotFound, createOpenAIRest } from "../rest/openai/index.js";
import { createTranscoder } from "../rest/transcode/index.js";
import { createToolsRest } from "../rest/tools/index.js";
import { createAdminService, type ReloadOutcome } from "../rpc/admin.js";
import { createWatchStats } from "../rpc/watch-stats.js";
import { registerBudget } from "../rpc/budget.js";
import { createHardwareService } from "../rpc/hardware.js";
import { registerHealth } from "../rpc/health.js";
import { createInferenceService } from "../rpc/inference.js";
import { createModelsService } from "../rpc/models.js";
import { registerReflection } from "../rpc/reflection.js";
import { createSpeechService } from "../rpc/speech.js";
import { createTranscribeService } from "../rpc/transcribe.js";
import { LoggedSpeech, LoggedTranscription } from "../observability/logged-audio.js";
import { createToolsService } from "../rpc/tools.js";
import type { Budgets } from "./budgets.js";

/** The hoosh.v1 services of every app (health serves them; reflection lists them). */
export const SERVICES: DescService[] = [InferenceService, ModelsService, TranscribeService, SpeechService, BudgetService, HardwareService, AdminService, ToolsService, KeysService, RequestLogService];

export interface EdgeCore {
  auth: Auth;
  inference: Inference;
  catalog: ModelCatalog;
  transcription: Transcription;
  speech: Speech;
  budgets: Budgets;
  keys: KeyAdmin;
  requestLog: RequestLog | undefined;
  hardware: HardwareDetector;
  health: HealthStatus;
  /** Each provider's health and breaker (WatchStats), with its wire type, in config order. */
  providerHealth: ProviderHealth;
  /** Where local models were placed (WatchStats). */
  localPlacements: LocalPlacements;
  providers: readonly { name: string; type: string }[];
  mcp: ReturnType<typeof createMcp>;
  obs: Observability;
  logger: Logger;
  reload?: ((configToml?: string) => Promise<ReloadOutcome>) | undefined;
  /** Model files RecommendPlacement may open for callers without the admin scope. */
  managedModels: ManagedModels;
}

export interface Edges {
  routes: (router: ConnectRouter) => void;
  interceptors: Interceptor[];
  rest: RestHandler[];
  restDeps: RestDeps;
}

export function buildEdges(config: Config, core: EdgeCore): Edges {
  const { auth, obs, budgets, mcp } = core;
  const timeout = config.server.request_timeout_ms;
  const interceptors = [authInterceptor(auth), streamDurationInterceptor(config.server.max_stream_duration_ms ?? timeout)];
  const rpcInference = obs.inference(core.inference, "rpc");
  // Audio calls get their request-log records like chat does (RPC calls name their protocol).
  const log = core.requestLog;
  const logged = (edge: string) => ({
    transcription: log ? new LoggedTranscription(core.transcription, log, edge) : core.transcription,
    speech: log ? new LoggedSpeech(core.speech, log, edge) : core.speech,
  });
  const rpcAudio = logged("grpc");
  const restAudio = logged("openai");
  const routes = (r: ConnectRouter): void => {
    r.service(InferenceService, createInferenceService(rpcInference, timeout));
    r.service(ModelsService, createModelsService(core.catalog));
    r.service(TranscribeService, createTranscribeService(rpcAudio.transcription, timeout));
    r.service(SpeechService, createSpeechService(rpcAudio.speech, timeout));
    registerBudget(r, budgets.ledger, {
      authorizeAdmin: (ctx) => auth.authorize(keyOf(ctx), "admin"),
      audit: obs.auditAdmin,
      caller: budgetCaller,
      reservation: (id) => budgets.opened.store.getReservation(id),
      log: (level, msg, fields) => core.logger.log(level, msg, fields),
    });
    // With auth off everyone is "admin" for the budget RPCs, but not for reading server files.
    const isAdmin = (ctx: HandlerContext) => {
      const key = keyOf(ctx);
      return key !== undefined && key.scopes.has("admin");
    };
    r.service(HardwareService, createHardwareService(core.hardware, { models: core.managedModels, isAdmin }));
    const watchStats = createWatchStats({
      figures: () => obs.metrics.live.figures(),
      streamsInFlight: () => obs.metrics.streamsInProgress(),
      providers: core.providers,
      health: core.providerHealth,
      placements: core.localPlacements,
    });
    r.service(AdminService, createAdminService({ reload: core.reload, verifyAudit: () => obs.audit.verify(), audit: obs.auditAdmin, watchStats }));
    registerHealth(r, core.health);
    r.service(ToolsService, createToolsService(mcp.tools, timeout));
    r.service(KeysService, createKeysService(core.keys, { audit: obs.auditAdmin }));
    r.service(RequestLogService, createRequestLogService(core.requestLog));
    registerReflection(r, { services: SERVICES });
  };
  const restDeps: RestDeps = {
    inference: obs.inference(core.inference, "rest", "openai"),
    catalog: core.catalog,
    transcription: restAudio.transcription,
    speech: restAudio.speech,
    maxBodyBytes: config.server.max_body_bytes,
    requestTimeoutMs: timeout,
  };
  // Each edge answers only its own paths: Anthropic /v1/messages*, OpenAI /v1/*, native REST
  // /hoosh/v1/* (google.api.http, through the same Connect handlers); the OpenAI-shaped 404 closes /v1/*.
  const guarded = guardedDeps(restDeps, auth);
  // The Anthropic edge has a measuring decorator of its own: the request log names it.
  const anthropic = guardedDeps({ ...restDeps, inference: obs.inference(core.inference, "rest", "anthropic") }, auth);
  const transcoder = (services: DescService[]) => createTranscoder({ routes, services, maxBodyBytes: config.server.max_body_bytes, interceptors });
  const rest: RestHandler[] = [
    ...obs.rest(),
    // /console/*: static files only (its data comes through the RPCs, which check keys).
    ...(consoleEnabled(config) ? [createConsoleRest()] : []),
    // /mcp and /v1/tools/* check keys themselves (scope "tools"), so they come before the /v1 gate.
    ...(mcp.endpoint ? [mcp.endpoint] : []),
    createToolsRest(transcoder([ToolsService])),
    restGate(auth),
    createAnthropicRest(anthropic),
    createOpenAIRest(guarded),
    usageCsvEndpoint(routes, interceptors),
    transcoder(SERVICES),
    createOpenAINotFound(restDeps),
  ];
  return { routes, interceptors, rest, restDeps };
}
