// Shared StrykerJS settings (9.6.1 with its vitest runner: 10.x needs Node 22).
// Each area's config names the files it mutates and a vitest config that runs
// only the tests of those files (a mutant is tried against the tests that cover it).
export function area(name, mutate) {
  return {
    packageManager: "npm",
    testRunner: "vitest",
    vitest: { configFile: `stryker/vitest.${name}.config.ts`, related: false },
    plugins: ["@stryker-mutator/vitest-runner"],
    coverageAnalysis: "perTest",
    concurrency: 2,
    mutate,
    tempDirName: `.stryker-tmp/${name}`,
    reporters: ["clear-text", "progress", "json"],
    jsonReporter: { fileName: `reports/mutation/${name}.json` },
    // Below 85 % the run fails: a surviving mutant in money, auth or cache-key code is a bug nobody would notice.
    thresholds: { high: 95, low: 85, break: 85 },
    timeoutMS: 10_000,
    cleanTempDir: "always",
    // The sandbox copy needs only the TypeScript sources, generated code, data and tests.
    ignorePatterns: ["/.tools", "/clients", "/bench", "/dist", "/docs", "/reports", "/scripts", "/deploy", "/proto", "**/.venv"],
  };
}
