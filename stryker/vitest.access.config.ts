import { defineConfig } from "vitest/config";

// The unit tests of auth/authorize.ts, the key directory (auth/directory.ts, in-flight.ts,
// stored-key.ts) and core/cache/key.ts (in-process; no spawned servers: a child process would not
// see the mutant). Trap: a mutant that makes a test FILE throw while it
// is imported (e.g. a key computed at module level) leaves no test to fail, and Stryker counts it
// as survived; compute inside the tests.
export default defineConfig({
  test: {
    include: ["test/auth/authorize.test.ts", "test/auth/reach.property.test.ts", "test/cache/key.test.ts", "test/keys/directory.test.ts", "test/keys/stored-key.test.ts"],
  },
});
