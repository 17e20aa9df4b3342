// Everything observability for one app, built from [observability]: metrics
// (per-app registry), access logs, traces, the audit log and their HTTP
// endpoints. app.ts wires it: the core, providers, ledger and provider health
// go through here once; no globals, so several apps can share a process.
import type { HandlerContext } from "@connectrpc/connect";
import type { Config } from "../config/index.js";
import type { BudgetLedger } from "../core/budget/ledger.js";
import type { Inference } from "../core/inference.js";
import type { ProviderHealth } from "../core/provider-health.js";
import { underDataDir, type DataDirEnv } from "../engines/data-dir.js";
import type { Provider } from "../providers/provider.js";
import type { RestHandler } from "../rest/handler.js";
import { auditLedger } from "./audited-ledger.js";
import { AuditLog } from "./audit-log.js";
import { auditVerifyEndpoint, metricsEndpoint, type HeaderGuard } from "./endpoints.js";
import { instrumentInference, type InstrumentDeps } from "./instrumented-inference.js";
import type { RequestSink } from "../core/requests/log.js";
import { silentLogger, type Logger } from "./log.js";
import { Metrics } from "./metrics.js";
import { configuredModelIds, ModelLabels } from "./model-labels.js";
import { traceProvider } from "./traced-provider.js";
import { Tracing } from "./tracing.js";

export interface ObservabilityOptions {
  /** Where access lines go (serve passes its stdout logger); silent by default. */
  logger?: Logger;
  /** The auth module's admin check (requireScope(headers, "admin")), for /metrics and the audit endpoint. */
  requireAdmin?: HeaderGuard;
  /** Who made an admin RPC call (e.g. the API key's id). */
  actorOf?: (ctx: HandlerContext) => string | undefined;
  /** For a relative audit_path (under the data dir); default process.env. */
  env?: DataDirEnv;
  /** An audit log to keep appending to (a config reload keeps one chain, one writer). */
  audit?: AuditLog;
  /** What /metrics serves instead of this process's registry (a worker: every worker's, merged). */
  metricsText?: () => Promise<string>;
}

export class Observability {
  readonly metrics: Metrics;
  readonly tracing: Tracing;
  readonly audit: AuditLog;
  private readonly deps: InstrumentDeps;
  private ledgerRef?: BudgetLedger;
  private readonly unsubscribe: (() => void)[] = [];

  static async create(config: Config, options: ObservabilityOptions = {}): Promise<Observability> {
    return new Observability(config, options, await Tracing.create(config.observability.otlp_endpoint));
  }

  constructor(
    private readonly config: Config,
    private readonly options: ObservabilityOptions,
    tracing: Tracing,
  ) {
    const o = config.observability;
    const logger = options.logger ?? silentLogger;
    this.metrics = new Metrics(async () => (this.ledgerRef ? this.ledgerRef.listPools() : []));
    this.tracing = tracing;
    this.audit = options.audit ?? new AuditLog(o.audit_key ?? "", (o.audit_path === undefined ? undefined : underDataDir(o.audit_path, options.env ?? process.env)), logger);
    this.deps = { metrics: this.metrics, models: new ModelLabels(configuredModelIds(config), o.max_model_labels), tracing: this.tracing, logger, logPrompts: o.log_prompts };
  }

  /**
   * The core as edge `edge` ("rpc" | "rest") should see it: measured, logged, traced, and written
   * to the request log (`logEdge` names a REST edge there: "openai", "anthropic").
   */
  inference(inner: Inference, edge: "rpc" | "rest", logEdge?: string): Inference {
    return instrumentInference(inner, edge, this.deps, logEdge);
  }

  /** Where each request's record goes ([log]; app.ts wires the request log in once it is built). */
  set requests(sink: RequestSink | undefined) {
    this.deps.requests = sink;
  }

  /** A provider with one span per upstream attempt (unchanged when spans are not exported). */
  provider(p: Provider): Provider {
    return this.tracing.exporting ? traceProvider(p, this.tracing) : p;
  }

  /** Circuit state gauges: 0 for each provider now, then every change. */
  watchHealth(health: ProviderHealth, providers: readonly string[]): void {
    for (const name of providers) this.metrics.circuitState(name, health.get(name).state);
    this.unsubscribe.push(health.onChange((name, state) => this.metrics.circuitState(name, state)));
  }

  /** The ledger with commits audited; also the source of hoosh_budget_remaining. */
  ledger(ledger: BudgetLedger): BudgetLedger {
    this.ledgerRef = auditLedger(ledger, this.audit);
    return this.ledgerRef;
  }

  /** For BudgetService's admin RPCs (CreatePool, UpdatePool). */
  readonly auditAdmin = (ctx: HandlerContext, action: string, details: Record<string, unknown>): void => {
    void this.audit.append(this.options.actorOf?.(ctx) ?? "anonymous", action, details);
  };

  /** GET <metrics_path> and GET /hoosh/admin/audit/verify. */
  rest(): RestHandler[] {
    const o = this.config.observability;
    const guard = this.options.requireAdmin;
    return [metricsEndpoint(this.metrics, o.metrics_path, o.metrics_require_key ? guard : undefined, this.options.metricsText), auditVerifyEndpoint(this.audit, guard)];
  }

  async close(): Promise<void> {
    for (const u of this.unsubscribe) u();
    await Promise.all([this.tracing.close(), this.audit.flush()]);
  }
}

