// A real hoosh with budget pools in front of fake OpenAI upstreams, and typed clients.
import { createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { BudgetService, UsageGroupBy } from "../../gen/ts/hoosh/v1/budget_pb.js";
import { Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { InferenceService } from "../../gen/ts/hoosh/v1/inference_pb.js";
import type { Hoosh } from "../harness/hoosh.js";

export interface Clients {
  inference: Client<typeof InferenceService>;
  budget: Client<typeof BudgetService>;
}

export function clients(hoosh: Hoosh): Clients {
  const transport = createGrpcTransport({ baseUrl: hoosh.url });
  return { inference: createClient(InferenceService, transport), budget: createClient(BudgetService, transport) };
}

export const user = (value: string) => ({ role: Role.USER, content: [{ part: { case: "text" as const, value } }] });

/** The pool's balance as plain numbers. */
export async function balance(c: Clients, name: string) {
  const { pool } = await c.budget.getPool({ name });
  return {
    usedTokens: Number(pool!.usedTokens),
    reservedTokens: Number(pool!.reservedTokens),
    usedUsdMicros: Number(pool!.usedUsdMicros),
    reservedUsdMicros: Number(pool!.reservedUsdMicros),
  };
}

/** The usage report's total for one pool, as plain numbers. */
export async function reportTotal(c: Clients, pool: string) {
  const { total } = await c.budget.getUsageReport({ pool, groupBy: UsageGroupBy.POOL });
  return {
    requests: Number(total!.requests),
    inputTokens: Number(total!.inputTokens),
    cachedInputTokens: Number(total!.cachedInputTokens),
    outputTokens: Number(total!.outputTokens),
    costUsdMicros: Number(total!.costUsdMicros),
  };
}

/** Polls until check() passes (the server settles a cancelled stream asynchronously). */
export async function eventually(check: () => Promise<void>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
