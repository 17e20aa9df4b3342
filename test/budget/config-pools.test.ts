import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";

import { applyConfigPools } from "../../server/core/budget/config-pools.js";
import type { BudgetPoolConfig } from "../../server/core/budget/config-pools.js";
import { failure, setup } from "./helpers.js";

describe("pools from hoosh.toml [[budgets]]", () => {
  it("creates configured pools, and on a store that has them resets limits but keeps the balance", async () => {
    const { ledger } = setup();
    const config: BudgetPoolConfig[] = [
      { name: "default", capacity: 1_000_000, period: "none" },
      { name: "team-a", capacity_usd_micros: 5_000_000, period: "monthly" },
    ];
    const made = await applyConfigPools(ledger, config);
    expect(made.map((p) => [p.name, p.capacityTokens, p.capacityUsdMicros, p.period])).toEqual([
      ["default", 1_000_000, undefined, "none"],
      ["team-a", undefined, 5_000_000, "monthly"],
    ]);
    await ledger.updatePool("default", { capacityTokens: 7, capacityUsdMicros: 9 }); // an admin's change
    await ledger.reserve("default", { tokens: 5, usdMicros: 0 });
    const again = await applyConfigPools(ledger, config);
    expect(again[0]).toMatchObject({ capacityTokens: 1_000_000, capacityUsdMicros: undefined, reservedTokens: 5 });
  });

  it("names the config key path in errors", async () => {
    const { ledger } = setup();
    const cases: [BudgetPoolConfig[], string][] = [
      [[{ name: "Team", capacity: 1, period: "none" }], 'budgets[0].name: "Team" is not a valid pool name; use lowercase letters, digits, ".", "_" and "-", starting with a letter or digit'],
      [[{ name: "a", period: "daily" }], "budgets[0]: neither capacity nor capacity_usd_micros is set; set at least one"],
      [[{ name: "a", capacity: -1, period: "daily" }], "budgets[0].capacity: -1 is negative; must be 0 or more"],
      [[{ name: "a", capacity: 1, period: "none" }, { name: "a", capacity: 2, period: "none" }], 'budgets[1].name: "a" is already used by budgets[0]'],
    ];
    for (const [config, message] of cases) {
      const err = await failure(applyConfigPools(ledger, config));
      expect([err.code, err.rawMessage]).toEqual([Code.InvalidArgument, message]);
    }
    expect(await ledger.listPools()).toEqual([]);
  });
});
