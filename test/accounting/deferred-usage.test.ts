// Charges waiting for an unreachable budget store (fail-open): retried in order until the store
// takes them, never twice; past the cap or at close, logged as lost with their amounts.
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { UsageSchema } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { DeferredUsage, type WaitingCharge } from "../../server/core/accounting/deferred-usage.js";

const charge = (pool: string, tokens: number): WaitingCharge => ({ pool, usage: create(UsageSchema, { inputTokens: tokens, outputTokens: 1, costUsdMicros: 7n }), key: undefined });

function harness(max = 100) {
  let up = false;
  const charged: string[] = [];
  const logs: { msg: string; fields: Record<string, unknown> }[] = [];
  const deferred = new DeferredUsage(
    async (c) => {
      if (!up) return "unavailable";
      charged.push(c.pool);
      return "done";
    },
    (_level, msg, fields) => logs.push({ msg, fields }),
    5,
    max,
  );
  return { deferred, charged, logs, setUp: (v: boolean) => (up = v) };
}

describe("DeferredUsage", () => {
  it("retries in the background and charges each waiting usage once, oldest first, when the store is back", async () => {
    const h = harness();
    h.deferred.add(charge("a", 1));
    h.deferred.add(charge("b", 2));
    await new Promise((r) => setTimeout(r, 30)); // a few failed rounds
    expect(h.charged).toEqual([]);
    h.setUp(true);
    await new Promise((r) => setTimeout(r, 30));
    expect(h.charged).toEqual(["a", "b"]);
    await h.deferred.flush();
    expect(h.charged).toEqual(["a", "b"]);
    expect(h.logs).toEqual([]);
  });

  it("beyond its cap, a charge is logged as lost with its amounts", () => {
    const h = harness(1);
    h.deferred.add(charge("a", 1));
    h.deferred.add(charge("b", 4));
    expect(h.logs).toEqual([{ msg: "usage lost: more than 1 charges are waiting for the budget store", fields: { pool: "b", tokens: 5, usd_micros: 7 } }]);
    void h.deferred.close();
  });

  it("close makes one last try and logs what the store still refused", async () => {
    const h = harness();
    h.deferred.add(charge("a", 2));
    await h.deferred.close();
    expect(h.charged).toEqual([]);
    expect(h.logs).toEqual([{ msg: "usage lost: hoosh stopped before the budget store came back", fields: { pool: "a", tokens: 3, usd_micros: 7 } }]);
  });
});
