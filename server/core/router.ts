// Picks the ordered list of providers to try for a model: pattern match
// (compiled once at startup), routing hints, then the strategy.
import picomatch from "picomatch";
import { RoutingStrategy, type RoutingHints } from "../../gen/ts/hoosh/v1/chat_pb.js";
import type { Provider } from "../providers/provider.js";
import { invalidArgument, notFound } from "./errors.js";
import type { LatencyTracker } from "./latency.js";

export type StrategyName = "priority" | "round-robin" | "lowest-latency" | "direct" | "weighted";

export interface Route {
  provider: Provider;
  /** Glob patterns of model ids, e.g. "gpt-*". */
  models: string[];
  /** Lower is tried first. */
  priority: number;
  weight: number;
}

export interface CompiledRoute extends Route {
  matches: (model: string) => boolean;
}

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

  constructor(
    routes: Route[],
    private readonly strategy: StrategyName,
    private readonly latency: LatencyTracker,
    private readonly random: () => number = Math.random,
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

  /** Routes whose patterns match, in priority order. */
  matching(model: string): Route[] {
    return this.routes.filter((r) => r.matches(model));
  }

  /** Providers to try in order. Throws NotFound when none serves the model. */
  candidates(model: string, hints?: RoutingHints): Provider[] {
    let routes = this.matching(model);
    if (hints?.provider) {
      if (!this.routes.some((r) => r.provider.name === hints.provider)) {
        const names = this.routes.map((r) => r.provider.name).join(", ") || "(none configured)";
        throw invalidArgument("routing.provider", `${JSON.stringify(hints.provider)} is not one of: ${names}`);
      }
      routes = routes.filter((r) => r.provider.name === hints.provider);
      if (routes.length === 0) throw notFound(`provider "${hints.provider}" does not serve model "${model}"`);
      return [routes[0]!.provider];
    }
    if (routes.length === 0) throw notFound(`no provider serves model "${model}"`);
    const strategy = FROM_HINT[hints?.strategy ?? RoutingStrategy.UNSPECIFIED] ?? this.strategy;
    return this.order(model, routes, strategy).map((r) => r.provider);
  }

  private order(model: string, routes: Route[], strategy: StrategyName): Route[] {
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
