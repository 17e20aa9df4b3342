// A fake Anthropic upstream process per test file and AnthropicProviders
// pointed at it; registers its own vitest hooks.
import { afterAll, beforeAll, beforeEach } from "vitest";
import { Locality } from "../../gen/ts/hoosh/v1/models_pb.js";
import { AnthropicProvider } from "../../server/providers/anthropic/client.js";
import { Transport, type TransportLimits } from "../../server/providers/transport.js";
import { startFakeAnthropic, type FakeAnthropic, type FakeAnthropicRequestEvent } from "../fakes/spawn-anthropic.js";

export const API_KEY = "sk-ant-unit-test";
const LIMITS: TransportLimits = { connectMs: 2_000, firstByteMs: 10_000, idleMs: 10_000, maxConnections: 8 };

export interface ProviderOpts {
  apiKey?: string;
  headers?: Record<string, string>;
  limits?: Partial<TransportLimits>;
  apiVersion?: string;
  defaultMaxTokens?: number;
}

export interface AnthropicFixture {
  fake(): FakeAnthropic;
  provider(opts?: ProviderOpts): AnthropicProvider;
  requests(): Promise<FakeAnthropicRequestEvent[]>;
  lastRequest(): Promise<FakeAnthropicRequestEvent>;
}

export function useFakeAnthropic(): AnthropicFixture {
  let fake: FakeAnthropic | undefined;
  const shared = new Transport();
  const transports: Transport[] = [];

  beforeAll(async () => {
    fake = await startFakeAnthropic({ apiKey: API_KEY, slowMs: 5_000 });
  }, 20_000);
  afterAll(async () => {
    await Promise.all([shared, ...transports].map((t) => t.close()));
    await fake?.stop();
  });
  beforeEach(async () => {
    await fake!.reset();
  });

  const requests = async () => (await fake!.events()).filter((e): e is FakeAnthropicRequestEvent => e.type === "request");
  return {
    fake: () => fake!,
    provider(opts = {}) {
      // Distinct limits need their own pools (the first caller's limits size a pool).
      const transport = opts.limits ? new Transport() : shared;
      if (opts.limits) transports.push(transport);
      return new AnthropicProvider(
        {
          name: "claude",
          baseUrl: `${fake!.baseUrl}/`,
          apiKey: "apiKey" in opts ? opts.apiKey : API_KEY,
          headers: opts.headers ?? {},
          locality: Locality.REMOTE,
          limits: { ...LIMITS, ...opts.limits },
          ...(opts.apiVersion ? { apiVersion: opts.apiVersion } : {}),
          ...(opts.defaultMaxTokens ? { defaultMaxTokens: opts.defaultMaxTokens } : {}),
        },
        transport,
      );
    },
    requests,
    async lastRequest() {
      return (await requests()).at(-1)!;
    },
  };
}
