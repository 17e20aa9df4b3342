// What ModelsService shows: per provider, the literal model ids from its
// patterns plus the ids its upstream lists (cached), matched against the
// patterns, with capabilities, window and modalities (model-metadata.ts) and health.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { HealthState, ModelSchema, type Model } from "../../gen/ts/hoosh/v1/models_pb.js";
import { notFound } from "./errors.js";
import { ModelMetadata } from "./model-metadata.js";
import type { ProviderHealth } from "./provider-health.js";
import type { CompiledRoute, Router } from "./router.js";

const GLOB_CHARS = /[*?[\]{}!()]/;
const DISCOVERY_TIMEOUT_MS = 3_000;
export const LOADING_REASON = "loading the model; requests wait for it";

interface Discovered {
  at: number;
  ids: string[];
  error?: string;
}

export class ModelCatalog {
  private readonly discovered = new Map<string, Discovered>();
  /** One upstream listing at a time per provider; concurrent callers share it. */
  private readonly inFlight = new Map<string, Promise<Discovered>>();

  constructor(
    private readonly router: Router,
    private readonly health: ProviderHealth,
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
    private readonly metadata: ModelMetadata = new ModelMetadata(),
  ) {}

  async list(signal: AbortSignal): Promise<Model[]> {
    const perRoute = await Promise.all(this.router.all.map((route) => this.modelsOf(route, signal)));
    return perRoute.flat().sort((a, b) => a.id.localeCompare(b.id) || a.provider.localeCompare(b.provider));
  }

  /** The model as the router would serve it: the first matching provider. */
  async get(id: string, signal: AbortSignal): Promise<Model> {
    const route = this.router.all.find((r) => r.matches(id));
    if (!route) throw notFound(`no provider serves model "${id}"`);
    const listed = await this.modelsOf(route, signal);
    return listed.find((m) => m.id === id) ?? this.describe(id, route, "");
  }

  private async modelsOf(route: CompiledRoute, signal: AbortSignal): Promise<Model[]> {
    const found = await this.discover(route, signal);
    const ids = new Set(route.models.filter((p) => !GLOB_CHARS.test(p)));
    for (const id of found.ids) if (route.matches(id)) ids.add(id);
    return [...ids].map((id) => this.describe(id, route, found.error ?? ""));
  }

  private describe(id: string, route: CompiledRoute, listingError: string): Model {
    const health = this.health.get(route.provider.name);
    const loading = route.provider.pendingLoad?.() !== undefined && health.state !== HealthState.UNHEALTHY;
    const info = this.metadata.describe(id, route.provider.type);
    return create(ModelSchema, {
      id,
      provider: route.provider.name,
      providerType: route.provider.type,
      locality: route.provider.locality,
      capabilities: info.capabilities,
      contextWindow: route.provider.contextWindow?.() ?? info.contextWindow,
      maxOutputTokens: info.maxOutputTokens,
      inputModalities: info.inputModalities,
      outputModalities: info.outputModalities,
      health: loading ? HealthState.UNKNOWN : health.state,
      healthReason: loading ? LOADING_REASON : health.reason || listingError,
    });
  }

  private async discover(route: CompiledRoute, signal: AbortSignal): Promise<Discovered> {
    const name = route.provider.name;
    const cached = this.discovered.get(name);
    // A failed listing is retried sooner than a good one is refreshed.
    const ttl = cached?.error ? Math.min(this.ttlMs, 5_000) : this.ttlMs;
    if (cached && this.now() - cached.at < ttl) return cached;
    let pending = this.inFlight.get(name);
    if (!pending) {
      // Not tied to this caller's signal: a cancelled caller must not fail (or poison) the shared listing.
      pending = this.fetchListing(route).finally(() => this.inFlight.delete(name));
      this.inFlight.set(name, pending);
    }
    return untilAborted(pending, signal);
  }

  private async fetchListing(route: CompiledRoute): Promise<Discovered> {
    const name = route.provider.name;
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new ConnectError(`listing took longer than ${DISCOVERY_TIMEOUT_MS} ms`, Code.DeadlineExceeded)),
      DISCOVERY_TIMEOUT_MS,
    );
    let result: Discovered;
    try {
      result = { at: this.now(), ids: await route.provider.listModels({ signal: controller.signal, requestId: `models-${name}` }) };
    } catch (err) {
      result = { at: this.now(), ids: [], error: `model listing failed: ${ConnectError.from(err).rawMessage}` };
    } finally {
      clearTimeout(timer);
    }
    this.discovered.set(name, result);
    return result;
  }
}

/** Waits for a shared promise, but gives up when this caller's signal aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(ConnectError.from(signal.reason));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(ConnectError.from(signal.reason));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
