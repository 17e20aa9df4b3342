/** A BudgetService client over an in-memory Connect transport, with a hand-driven clock. */
import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import type { Client } from "@connectrpc/connect";
import { expect } from "vitest";

import { BudgetService } from "../../gen/ts/hoosh/v1/budget_pb.js";
import type { BudgetServiceOptions } from "../../server/rpc/budget.js";
import { createBudgetService } from "../../server/rpc/budget.js";
import { setup } from "./helpers.js";
import type { ManualClock } from "./helpers.js";

export function rpcSetup(options?: BudgetServiceOptions): { client: Client<typeof BudgetService>; clock: ManualClock } {
  const { ledger, clock } = setup();
  const transport = createRouterTransport((router) => {
    router.service(BudgetService, createBudgetService(ledger, options));
  });
  return { client: createClient(BudgetService, transport), clock };
}

/** Expects the call to fail with exactly this code and message. */
export async function expectError(call: Promise<unknown>, code: Code, message: string): Promise<void> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected ${Code[code]}: ${message}`).toBeInstanceOf(ConnectError);
  const ce = err as ConnectError;
  expect({ code: Code[ce.code], message: ce.rawMessage }).toEqual({ code: Code[code], message });
}

export const NAME_RULE = 'is not a valid pool name; use lowercase letters, digits, ".", "_" and "-", starting with a letter or digit';
