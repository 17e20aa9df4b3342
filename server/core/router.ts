// Picks the ordered list of (provider, model) targets to try for a request:
// aliases and fallback models expand the model, patterns (compiled once at
// startup) find the providers, the strategy orders them, and providers whose
// circuit breaker is open are left out.
import picomatch from "picomatch";
import { RoutingStrategy, type RoutingHints } from "../../gen/ts/hoosh/v1/chat_pb.js";
import type { Provider } from "../providers/provider.js";
import { Code, ConnectError } from "@connectrpc/connect";
import { invalidArgument, notFound } from "./errors.js";
import type { LatencyTracker } from "./latency.js";
import type { ProviderHealth } from "./provider-health.js";

export type StrategyName = "priority" | "round-robin" | "lowest-latency" | "direct" | "weighted";

export interface Route {
  provider: Provider;
  /** Glob patterns of model ids, e.g. "gpt-*". */
  models: string[];
  /** Lower is tried first. */
  priority: number;
  weight: number;
}

/** One thing to try: a provider and the model id to ask it for. */
export interface Target {
  provider: Provider;
  model: string;
}

/** Model names that stand for one model or an ordered list of them (config [aliases]). */
export type Aliases = Record<string, string | string[]>;

/** Why a model has no provider to try: the hint names no configured provider, or none serves the model. */
type Miss = { kind: "unknown-provider" } | { kind: "not-served"; model: string };

export interface CompiledRoute extends Route {
  matches: (model: string) => boolean;
}

const MATCH_CACHE_SIZE = 4096;

const FROM_HINT: Record<RoutingStrategy, StrategyName | undefined> = {
  [RoutingStrategy.UNSPECIFIED]: undefined,
  [RoutingStrategy.PRIORITY]: "priority",
  [RoutingStrategy.ROUND_ROBIN]: "round-robin",
  [RoutingStrategy.LOWEST_LATENCY]: "lowest-latency",
  [RoutingStrategy.DIRECT]: "direct",
  [RoutingStrategy.WEIGHTED]: "weighted",
};

export class Router {
  private readonly routes: CompiledRoute[];
  private readonly turns = new Map<string, number>();
  private readonly matchCache = new Map<string, Route[]>();

  constructor(
    routes: Route[],
    private readonly strategy: StrategyName,
    private readonly latency: LatencyTracker,
    private readonly random: () => number = Math.random,
    private readonly aliases: Aliases = {},
    private readonly health?: ProviderHealth,
  ) {
    // Stable order: priority, then config order.
    this.routes = routes
      .map((r) => ({ ...r, matches: picomatch(r.models, { nocase: true, dot: true }) }))
      .sort((a, b) => a.priority - b.priority);
  }

  /** Every route in priority order, for listing models. */
  get all(): readonly CompiledRoute[] {
    return this.routes;
  }

  /** Routes whose patterns match, in priority order (memoized: callers reuse few model names). */
  matching(model: string): Route[] {
    let found = this.matchCache.get(model);
    if (!found) {
      found = this.routes.filter((r) => r.matches(model));
      // Bounded: arbitrary model names from callers cannot grow it without limit.
      if (this.matchCache.size >= MATCH_CACHE_SIZE) this.matchCache.clear();
      this.matchCache.set(model, found);
    }
    return found;
  }

  /** Providers to try in order for one model id (no aliases, no breaker). Throws NotFound when none serves it. */
  candidates(model: string, hints?: RoutingHints): Provider[] {
    const found = this.providersFor(model, hints);
    if (!Array.isArray(found)) throw this.missError(found, hints);
    return found;
  }

  /**
   * Every model a request can reach, in the order they are tried: the model
   * (or its alias's models), then each of the hint's fallback models (or
   * theirs), each once. Authorization checks all of them (auth/authorize.ts)
   * and the cache key carries them (cache/key.ts).
   */
  reach(model: string, hints?: Pick<RoutingHints, "fallbackModels">): string[] {
    const out = new Set(this.expand(model));
    for (const m of hints?.fallbackModels ?? []) for (const e of this.expand(m)) out.add(e);
    return [...out];
  }

  /**
   * Everything to try, in order: the models the request reaches; per model the
   * matching providers by strategy; providers with an open circuit breaker are
   * left out. A model no provider serves is skipped (its reason kept as a
   * value); only when nothing is left is the first reason thrown.
   */
  targets(model: string, hints?: RoutingHints): Target[] {
    const targets: Target[] = [];
    const skipped: string[] = [];
    let firstMiss: Miss | undefined;
    for (const m of this.reach(model, hints)) {
      const found = this.providersFor(m, hints);
      if (!Array.isArray(found)) {
        if (found.kind === "unknown-provider") throw this.missError(found, hints);
        firstMiss ??= found;
        continue;
      }
      for (const provider of found) {
        if (targets.some((t) => t.provider === provider && t.model === m)) continue;
        if (this.health && !this.health.allows(provider.name)) {
          skipped.push(provider.name);
          continue;
        }
        targets.push({ provider, model: m });
      }
      if (this.strategyOf(hints) === "direct" && targets.length > 0) return targets.slice(0, 1);
    }
    if (targets.length > 0) return targets;
    if (skipped.length > 0) {
      const until = Math.min(...skipped.map((p) => this.health?.openUntil(p) ?? Date.now()));
      throw new ConnectError(
        `every provider serving "${model}" has an open circuit breaker: ${[...new Set(skipped)].join(", ")}`,
        Code.Unavailable,
        { "retry-after": String(Math.max(1, Math.ceil((until - Date.now()) / 1000))) },
      );
    }
    throw this.missError(firstMiss ?? { kind: "not-served", model }, hints);
  }

  /** The error for a miss, made once per request (not per candidate: an Error captures a stack). */
  private missError(miss: Miss, hints?: RoutingHints): ConnectError {
    if (miss.kind === "unknown-provider") {
      const names = this.routes.map((r) => r.provider.name).join(", ") || "(none configured)";
      return invalidArgument("routing.provider", `${JSON.stringify(hints?.provider)} is not one of: ${names}`);
    }
    if (hints?.provider) return notFound(`provider "${hints.provider}" does not serve model "${miss.model}"`);
    return notFound(`no provider serves model "${miss.model}"`);
  }

  /** An alias's models, or the model itself. */
  private expand(model: string): string[] {
    const alias = Object.hasOwn(this.aliases, model) ? this.aliases[model] : undefined;
    if (alias === undefined) return [model];
    return typeof alias === "string" ? [alias] : alias;
  }

  private strategyOf(hints?: RoutingHints): StrategyName {
    return FROM_HINT[hints?.strategy ?? RoutingStrategy.UNSPECIFIED] ?? this.strategy;
  }

  /** The providers for one model id in order, or why there are none (a plain value: callers try the next model). */
  private providersFor(model: string, hints?: RoutingHints): Provider[] | Miss {
    let routes = this.matching(model);
    if (hints?.provider) {
      if (!this.routes.some((r) => r.provider.name === hints.provider)) return { kind: "unknown-provider" };
      routes = routes.filter((r) => r.provider.name === hints.provider);
      return routes.length === 0 ? { kind: "not-served", model } : [routes[0]!.provider];
    }
    if (routes.length === 0) return { kind: "not-served", model };
    return this.order(routes, this.strategyOf(hints)).map((r) => r.provider);
  }

  private order(routes: Route[], strategy: StrategyName): Route[] {
    switch (strategy) {
      case "direct":
        return routes.slice(0, 1);
      case "round-robin": {
        // Keyed by the matching providers, not the model string, so the map stays
        // bounded however many model names callers send.
        const key = routes.map((r) => r.provider.name).join("\n");
        const turn = this.turns.get(key) ?? 0;
        this.turns.set(key, turn + 1);
        const start = turn % routes.length;
        return [...routes.slice(start), ...routes.slice(0, start)];
      }
      case "lowest-latency":
        // Unmeasured providers sort first (0 ms) so every provider gets measured.
        return [...routes].sort((a, b) => this.latency.estimate(a.provider.name) - this.latency.estimate(b.provider.name));
      case "weighted": {
        const total = routes.reduce((sum, r) => sum + r.weight, 0);
        let pick = this.random() * total;
        const first = routes.find((r) => (pick -= r.weight) < 0) ?? routes[0]!;
        return [first, ...routes.filter((r) => r !== first)];
      }
      case "priority":
        return routes;
    }
  }
}
