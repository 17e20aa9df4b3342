import { defineConfig } from "vitest/config";

// The unit tests of settle.ts and ledger.ts (in-process stores; no spawned servers: a child
// process would not see the mutant).
export default defineConfig({
  test: {
    include: ["test/accounting/settle.test.ts", "test/budget/ledger.test.ts"],
  },
});
