// The app's Prometheus instruments, in a Registry of its own (never prom-client's
// global one: several apps run in one test process). Names follow the
// OpenTelemetry GenAI semantic conventions where they exist (gen_ai_client_*),
// hoosh_* for the rest. Every label value is bounded: model through
// ModelLabels, provider/route/pool from config, code from the gRPC code set.
import { Code } from "@connectrpc/connect";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { HealthState } from "../../gen/ts/hoosh/v1/models_pb.js";
import { LiveStats } from "./live-stats.js";

/** OTel GenAI advice for gen_ai.client.operation.duration (seconds). */
const DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
/** OTel GenAI advice for gen_ai.client.token.usage. */
const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
const TTFT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const GEN_AI = ["gen_ai_operation_name", "gen_ai_request_model", "gen_ai_provider_name", "error_type"] as const;

/** A pool's remaining budget, as the ledger reports it on scrape. */
export interface PoolRemaining {
  name: string;
  capacityTokens?: number;
  capacityUsdMicros?: number;
  usedTokens: number;
  reservedTokens: number;
  usedUsdMicros: number;
  reservedUsdMicros: number;
}

export interface RequestRecord {
  route: string;
  operation: "chat" | "embeddings";
  model: string;
  provider: string;
  /** gRPC code name, e.g. "OK", "UNAVAILABLE". */
  code: string;
  seconds: number;
  inputTokens?: number;
  outputTokens?: number;
  costUsdMicros?: bigint;
  cacheHit?: boolean;
}

interface RequestSeries {
  duration: { observe(v: number): void };
  requests: { inc(v?: number): void };
  inputTokens: { observe(v: number): void };
  outputTokens: { observe(v: number): void };
  cost: { inc(v?: number): void };
  cacheHits: { inc(v?: number): void };
}

export class Metrics {
  readonly registry = new Registry();
  private readonly duration: Histogram<(typeof GEN_AI)[number]>;
  private readonly tokens: Histogram<string>;
  private readonly requests: Counter<string>;
  private readonly ttft: Histogram<string>;
  private readonly cost: Counter<string>;
  private readonly cacheHits: Counter<string>;
  private readonly circuit: Gauge<string>;
  readonly streamsInFlight: Gauge<string>;

  private readonly bound = new Map<string, RequestSeries>();
  /** The console's live figures (AdminService.WatchStats), fed by request(). */
  readonly live = new LiveStats();

  /** Settlements waiting in the outbox for the budget store (set by app.ts). */
  outboxPending: (() => number) | undefined;

  constructor(pools?: () => Promise<PoolRemaining[]>) {
    const registers = [this.registry];
    this.duration = new Histogram({ name: "gen_ai_client_operation_duration_seconds", help: "GenAI operation duration.", labelNames: GEN_AI, buckets: DURATION_BUCKETS, registers });
    this.tokens = new Histogram({
      name: "gen_ai_client_token_usage",
      help: "Number of input and output tokens used per operation.",
      labelNames: ["gen_ai_token_type", "gen_ai_operation_name", "gen_ai_request_model", "gen_ai_provider_name"],
      buckets: TOKEN_BUCKETS,
      registers,
    });
    this.requests = new Counter({ name: "hoosh_requests_total", help: "Inference requests by edge route, provider, model and gRPC status code.", labelNames: ["route", "provider", "model", "code"], registers });
    this.ttft = new Histogram({ name: "hoosh_time_to_first_token_seconds", help: "Streams: time until the first content event.", labelNames: ["route", "provider", "model"], buckets: TTFT_BUCKETS, registers });
    this.cost = new Counter({ name: "hoosh_cost_usd_micros_total", help: "Cost of answered requests in micro-USD.", labelNames: ["provider", "model"], registers });
    this.cacheHits = new Counter({ name: "hoosh_cache_hits_total", help: "Requests answered from the cache.", labelNames: ["route", "model"], registers });
    this.circuit = new Gauge({ name: "hoosh_provider_circuit_state", help: "Provider circuit breaker: 0 closed, 1 degraded, 2 open.", labelNames: ["provider"], registers });
    this.streamsInFlight = new Gauge({ name: "hoosh_streams_in_flight", help: "Streaming requests in progress.", labelNames: ["route"], registers });
    // One read of the store per scrape, started by the remaining-budget gauge; the registry
    // collects metrics concurrently, so store_up awaits that same read.
    let reading: Promise<PoolRemaining[] | undefined> = Promise.resolve([]);
    new Gauge({
      name: "hoosh_budget_remaining",
      help: "Remaining budget per pool (capacity - used - reserved), read from the ledger on scrape; pools without that capacity are left out.",
      labelNames: ["pool", "unit"],
      registers,
      async collect() {
        this.reset();
        // An unreachable store must not take the whole scrape down: no series, and store_up 0.
        reading = Promise.resolve(pools?.()).then((list) => list ?? [], () => undefined);
        const read = await reading;
        for (const p of read ?? []) {
          if (p.capacityTokens !== undefined) this.set({ pool: p.name, unit: "tokens" }, p.capacityTokens - p.usedTokens - p.reservedTokens);
          if (p.capacityUsdMicros !== undefined) this.set({ pool: p.name, unit: "usd_micros" }, p.capacityUsdMicros - p.usedUsdMicros - p.reservedUsdMicros);
        }
      },
    });
    const metrics = this;
    new Gauge({
      name: "hoosh_budget_outbox_pending",
      help: "Usage settlements waiting for the budget store (its step failed or its reply was lost); retried until the store takes them.",
      registers,
      collect() {
        this.set(metrics.outboxPending?.() ?? 0);
      },
    });
    new Gauge({
      name: "hoosh_budget_store_up",
      help: "1 when the last scrape could read the budget store, 0 when it could not (hoosh_budget_remaining is then absent).",
      registers,
      async collect() {
        this.set((await reading) ? 1 : 0);
      },
    });
  }

  request(r: RequestRecord): void {
    this.live.record(r);
    const s = this.series(r);
    s.duration.observe(r.seconds);
    s.requests.inc();
    if (r.code !== "OK") return;
    if (r.inputTokens !== undefined) s.inputTokens.observe(r.inputTokens);
    if (r.outputTokens !== undefined && r.operation === "chat") s.outputTokens.observe(r.outputTokens);
    if (r.costUsdMicros) s.cost.inc(Number(r.costUsdMicros));
    if (r.cacheHit) s.cacheHits.inc();
  }

  /**
   * The time series one kind of request updates, bound once per label set (prom-client hashes a
   * label object on every call otherwise). Bounded: every label value is (see the file comment).
   */
  private series(r: RequestRecord): RequestSeries {
    const key = `${r.route}\u0000${r.operation}\u0000${r.model}\u0000${r.provider}\u0000${r.code}`;
    let s = this.bound.get(key);
    if (!s) {
      const genAi = { gen_ai_operation_name: r.operation, gen_ai_request_model: r.model, gen_ai_provider_name: r.provider };
      s = {
        duration: this.duration.labels(r.code === "OK" ? genAi : { ...genAi, error_type: r.code }),
        requests: this.requests.labels({ route: r.route, provider: r.provider, model: r.model, code: r.code }),
        inputTokens: this.tokens.labels({ ...genAi, gen_ai_token_type: "input" }),
        outputTokens: this.tokens.labels({ ...genAi, gen_ai_token_type: "output" }),
        cost: this.cost.labels({ provider: r.provider, model: r.model }),
        cacheHits: this.cacheHits.labels({ route: r.route, model: r.model }),
      };
      this.bound.set(key, s);
    }
    return s;
  }

  firstToken(route: string, provider: string, model: string, seconds: number): void {
    this.ttft.observe({ route, provider, model }, seconds);
  }

  circuitState(provider: string, state: HealthState): void {
    this.circuit.set({ provider }, state === HealthState.UNHEALTHY ? 2 : state === HealthState.DEGRADED ? 1 : 0);
  }

  /** Streaming requests in progress, over every route. */
  async streamsInProgress(): Promise<number> {
    return (await this.streamsInFlight.get()).values.reduce((n, v) => n + v.value, 0);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

const CODE_NAMES = new Map<number, string>(
  Object.entries(Code)
    .filter(([, v]) => typeof v === "number")
    .map(([k, v]) => [v as number, k.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase()]),
);

/** Code.InvalidArgument -> "INVALID_ARGUMENT"; 0 -> "OK". */
export function codeName(code: Code | 0): string {
  return code === 0 ? "OK" : (CODE_NAMES.get(code) ?? "UNKNOWN");
}
