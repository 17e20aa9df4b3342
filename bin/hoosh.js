#!/usr/bin/env node
// Runs the bundled CLI (dist/, built by `npm run build`, which `npm ci` runs
// through the prepare script). Bundling skips TypeScript compilation at start.
try {
  await import("../dist/hoosh.js");
} catch (err) {
  if (err?.code === "ERR_MODULE_NOT_FOUND" && String(err.message).includes("dist/hoosh.js")) {
    console.error("hoosh: dist/hoosh.js is missing; run `npm run build` (or `npm ci`) first");
    process.exit(1);
  }
  throw err;
}
