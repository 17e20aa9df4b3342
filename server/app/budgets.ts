// Budgets and limits of a config: the store ([store]: memory, SQLite or Redis), the ledger over
// it, the API keys (config and stored: their limits live here too), the rate windows (shared by
// replicas on Redis), key/team/pool/provider limits, and the accounting that settles every
// request, with the config's [[budgets]] applied.
import { KeyDirectory } from "../auth/directory.js";
import type { Config } from "../config/index.js";
import { ConfigError } from "../config/index.js";
import { Accounting } from "../core/accounting/accounting.js";
import { applyConfigPools } from "../core/budget/config-pools.js";
import { BudgetLedger } from "../core/budget/ledger.js";
import { startBudgetSweeper } from "../core/budget/sweeper.js";
import { ProviderLimits } from "../core/provider-limits.js";
import { failOpenWindows } from "../core/rate-limit/fail-open.js";
import { limitsByName, RateLimiter } from "../core/rate-limit/limiter.js";
import { openRateWindows } from "../core/rate-limit/open.js";
import type { RateWindows } from "../core/rate-limit/window.js";
import type { Observability } from "../observability/index.js";
import type { Logger } from "../observability/log.js";
import { openBudgetStore, type OpenedStore } from "../store/open-budget-store.js";
import type { Cleanup } from "./cleanup.js";
import type { Routing } from "./routing.js";

export interface Budgets {
  opened: OpenedStore;
  /** Every API key, config and stored (kept current from the store). */
  directory: KeyDirectory;
  ledger: BudgetLedger;
  windows: RateWindows;
  rateLimiter: RateLimiter;
  providerLimits: ProviderLimits;
  accounting: Accounting;
}

export interface BudgetOptions {
  source: string;
  /** A store handle to use instead of opening [store] (a reload keeps the ledger's state). */
  budgetStore?: OpenedStore | undefined;
  logger: Logger;
}

export async function buildBudgets(config: Config, obs: Observability, routing: Routing, options: BudgetOptions, cleanup: Cleanup): Promise<Budgets> {
  const log = (level: "warn" | "error", msg: string, fields?: Record<string, unknown>) => options.logger.log(level, msg, fields);
  const opened = options.budgetStore ?? (await openBudgetStore(config.store, options.source));
  // A handle given by the caller is the caller's to close when the build fails; app.close() closes it.
  cleanup.add(() => opened.close());
  const ledger = obs.ledger(new BudgetLedger(opened.store));
  // Keys made at run time, loaded now and kept current (a change on any replica arrives within a second).
  const directory = new KeyDirectory(config.keys, opened.keys, { log });
  await directory.start().catch((err: unknown) => {
    throw new ConfigError(options.source, [{ path: "store", message: `cannot read the API keys kept in the store: ${(err as Error).message}` }]);
  });
  cleanup.add(() => directory.close());
  // [[keys]] and [[budgets]] rpm/tpm, over windows shared by the replicas when [store] is Redis.
  const rateWindows = await openRateWindows(config.store, opened.store).catch((err: unknown) => {
    throw new ConfigError(options.source, [{ path: "store.url", message: `cannot open the redis rate windows: ${(err as Error).message}` }]);
  });
  cleanup.add(() => rateWindows.close());
  const failOpen = config.store.on_unavailable === "fail-open";
  const windows = failOpen ? failOpenWindows(rateWindows.windows, log) : rateWindows.windows;
  // Provider rpm/tpm count every replica's calls when [store] is Redis; memory keeps its own windows.
  const providerLimits = new ProviderLimits(
    (name) => {
      const p = routing.byName.get(name);
      return { maxConcurrency: p?.max_concurrency, rpm: p?.rpm, tpm: p?.tpm };
    },
    Date.now,
    config.store.kind === "redis" ? windows : undefined,
  );
  const rateLimiter = new RateLimiter(windows, {
    keys: (id) => directory.keyLimits(id),
    teams: (name) => directory.teamLimits(name),
    pools: limitsByName(config.budgets, (b) => b.name),
    log,
  });
  const accounting = new Accounting({ ledger, outbox: opened.outbox, requestTimeoutMs: config.server.request_timeout_ms, log, rate: rateLimiter, failOpen });
  try {
    await applyConfigPools(ledger, config.budgets);
  } catch (err) {
    // The schema already checked budgets; this catches what only the ledger knows.
    throw new ConfigError(options.source, [{ path: "budgets", message: (err as Error).message }]);
  }
  // Settlements waiting for an unreachable store get a last try before the store closes.
  cleanup.add(() => accounting.close());
  cleanup.add(startBudgetSweeper(ledger));
  // Usage a previous process (or a reload's predecessor) left waiting for the store.
  accounting.start();
  obs.metrics.outboxPending = () => opened.outbox.count();
  return { opened, directory, ledger, windows, rateLimiter, providerLimits, accounting };
}
