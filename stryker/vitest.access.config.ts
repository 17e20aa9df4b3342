import { defineConfig } from "vitest/config";

// The unit tests of auth/authorize.ts and core/cache/key.ts (in-process; no spawned servers:
// a child process would not see the mutant).
export default defineConfig({
  test: {
    include: ["test/auth/authorize.test.ts", "test/auth/reach.property.test.ts", "test/cache/key.test.ts"],
  },
});
