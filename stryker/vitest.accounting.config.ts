import { defineConfig } from "vitest/config";

// The in-process tests of settle.ts and ledger.ts (memory store, in-memory Connect transport).
// Tests that start hoosh as a child process are left out: a child never sees the mutant.
export default defineConfig({
  test: {
    include: [
      "test/accounting/settle.test.ts",
      "test/accounting/settle-outbox.test.ts",
      "test/budget/ledger.test.ts",
      "test/budget/expiry.test.ts",
      "test/budget/rollover.test.ts",
      "test/budget/report.test.ts",
      "test/budget/rpc-pools.test.ts",
      "test/budget/rpc-report.test.ts",
      "test/budget/rpc-reservations.test.ts",
      "test/budget/config-pools.test.ts",
    ],
  },
});
