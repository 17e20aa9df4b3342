// The running server's app generations and config reload (SIGHUP and
// AdminService.ReloadConfig). A reload loads the config (the file serve was
// started with, or TOML text), validates it fully by building a new app, and
// only then swaps it in: new requests go to the new app, requests in flight
// finish on the old one, which closes once they are done. A bad config is
// rejected with a ConfigError and the running app stays. Reloads run one at a time.
import { buildApp, type App } from "../app.js";
import { unsafeBindReason } from "../auth/limits.js";
import { crossSectionIssues } from "../config/cross-section.js";
import { ConfigError, loadConfigFile, loadDefaultConfig, parseConfig, type Config, type Env } from "../config/index.js";
import { referencedValues, scrubEnvValues } from "../config/env.js";
import { underDataDir } from "../engines/data-dir.js";
import { jsonLogger, type Logger } from "../observability/log.js";
import { chain } from "../rest/handler.js";
import { notFoundFallback } from "../rpc/fallback.js";
import { createRpcHandler } from "../rpc-handler.js";
import { allowedHostsFor } from "../host-check.js";
import { openBudgetStore } from "../store/open-budget-store.js";
import { DiskFootprint } from "./disk-footprint.js";
import { Generations } from "./generations.js";
import { restartOnlyIssues } from "./restart-only.js";
import { SharedStore } from "./shared-store.js";

export interface LifecycleOptions {
  /** The config file serve was started with; undefined = the embedded default. */
  path?: string;
  /** Names the config in errors (the path, or "embedded default.toml"). */
  source: string;
  env: Env;
  /** Applies the command line's --port/--bind to every loaded config. */
  overrides: (config: Config) => void;
  /** Aborted when the shutdown grace period ends (every generation's handler). */
  shutdownSignal: AbortSignal;
  /** Lifecycle lines (reloaded, reload failed). */
  log: Logger;
  /** What /metrics serves in every generation instead of the app's own registry (workers: all merged). */
  metricsText?: () => Promise<string>;
}

export interface ReloadResult {
  /** A path, or "request" for TOML text sent over ReloadConfig. */
  source: string;
  providers: string[];
  budgets: string[];
  keys: string[];
}

/** The text source label for ReloadConfig's config_toml. */
export const REQUEST_SOURCE = "request";

export class Lifecycle {
  readonly generations: Generations;
  private store?: { key: string; shared: SharedStore };
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: LifecycleOptions) {
    this.generations = new Generations((gen, err) => options.log.log("error", "closing a retired app failed", { generation: gen, error: err.message }));
  }

  /** The app new requests go to. */
  get app(): App {
    return this.generations.app;
  }

  /** Builds and installs the first app (errors propagate: startup fails). */
  async start(config: Config): Promise<App> {
    const app = await this.build(config, this.options.source);
    this.generations.install(app, this.handlerFor(app));
    return app;
  }

  /** Reloads from the file (or the given TOML text); rejects with ConfigError and keeps the running app. */
  reload(toml?: string): Promise<ReloadResult> {
    const run = this.queue.then(() => this.reloadNow(toml));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Closes every app generation (call after the listener drained). */
  close(): Promise<void> {
    return this.generations.closeAll();
  }

  private async reloadNow(toml: string | undefined): Promise<ReloadResult> {
    const { path, env } = this.options;
    const source = toml !== undefined && toml !== "" ? REQUEST_SOURCE : this.options.source;
    const config = source === REQUEST_SOURCE ? parseConfig(toml!, { source, env }) : path ? await loadConfigFile(path, env) : loadDefaultConfig(env);
    this.options.overrides(config);
    // Overrides (--workers) can make a file that parsed alone refuse its store: check the pair again.
    const issues = [...restartOnlyIssues(this.app.config, config), ...crossSectionIssues(config)];
    const unsafe = unsafeBindReason(config);
    if (unsafe) issues.push({ path: "server.bind", message: unsafe.replace(/^server\.bind: /, "") });
    if (issues.length > 0) throw new ConfigError(source, issues);

    let app: App;
    try {
      app = await this.build(config, source);
    } catch (err) {
      // TOML sent over ReloadConfig: its errors name the variables it used, never their values.
      if (err instanceof ConfigError && source === REQUEST_SOURCE) throw scrubbed(err, toml!, this.options.env);
      throw err;
    }
    const gen = this.generations.install(app, this.handlerFor(app));
    const result: ReloadResult = {
      source,
      providers: config.providers.filter((p) => p.enabled).map((p) => p.name),
      budgets: config.budgets.map((b) => b.name),
      keys: config.keys.map((k) => k.id),
    };
    this.options.log.log("info", "reloaded", { ...result, generation: gen.id, retired_in_flight: this.generations.retiredInFlight() });
    return result;
  }

  /**
   * Builds an app; the budget store is reused when [store] is unchanged. A failed build is a
   * ConfigError and leaves nothing on disk it created (a new SQLite file, folders).
   */
  private async build(config: Config, source: string): Promise<App> {
    const key = JSON.stringify(config.store);
    const reuse = this.store?.key === key ? this.store : undefined;
    const footprint = DiskFootprint.before(filesOf(config, reuse === undefined));
    let shared: { key: string; shared: SharedStore };
    try {
      shared = reuse ?? { key, shared: new SharedStore(await openBudgetStore(config.store, source)) };
    } catch (err) {
      footprint.undo();
      throw err;
    }
    const handle = shared.shared.handle();
    let app: App;
    try {
      app = await buildApp(config, {
        source,
        logger: jsonLogger(undefined, { level: config.observability.log_level }),
        budgetStore: handle,
        reload: (text) => this.reload(text),
        // One audit chain, one writer: keep the running app's log while its settings are unchanged.
        audit: this.generations.installed && sameAudit(this.app.config, config) ? this.app.audit : undefined,
        // The MCP servers and sessions carry over when their settings are unchanged (createMcp compares them).
        mcp: this.generations.installed ? this.app.mcp : undefined,
        metricsText: this.options.metricsText,
      });
    } catch (err) {
      await handle.close();
      footprint.undo();
      if (err instanceof ConfigError) throw err;
      throw new ConfigError(source, [{ path: "(root)", message: (err as Error).message }]);
    }
    this.store = shared;
    return app;
  }

  private handlerFor(app: App) {
    return createRpcHandler({
      routes: app.routes,
      interceptors: app.interceptors,
      fallback: chain(app.rest, notFoundFallback),
      readMaxBytes: app.config.server.max_body_bytes,
      shutdownSignal: this.options.shutdownSignal,
      cors: app.config.server.cors,
      allowedHosts: allowedHostsFor(app.config.server.bind, app.config.server.allowed_hosts),
    });
  }
}

/** Files building this config may create: the SQLite store and the outbox of a store opened anew, and the audit log. */
function filesOf(config: Config, newStore: boolean): string[] {
  const files: string[] = [];
  if (newStore && config.store.kind === "sqlite" && config.store.path) files.push(underDataDir(config.store.path, process.env));
  if (newStore && config.store.kind !== "memory") files.push(underDataDir(config.store.outbox_path, process.env));
  if (config.observability.audit_path) files.push(underDataDir(config.observability.audit_path, process.env));
  return files;
}

function scrubbed(err: ConfigError, toml: string, env: Env): ConfigError {
  const values = referencedValues(toml, env);
  return new ConfigError(err.source, err.issues.map((i) => ({ path: scrubEnvValues(i.path, values), message: scrubEnvValues(i.message, values) })));
}

function sameAudit(a: Config, b: Config): boolean {
  return a.observability.audit_path === b.observability.audit_path && a.observability.audit_key === b.observability.audit_key;
}
