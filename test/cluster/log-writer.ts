// Writes COUNT access-like log lines of about SIZE bytes as fast as it can through hoosh's stdout
// logger (test/cluster/log-lines.test.ts runs two of these as "workers" on one pipe).
import { jsonLogger } from "../../server/observability/log.js";

const count = Number(process.argv[2]);
const size = Number(process.argv[3]);
const log = jsonLogger();
for (let i = 0; i < count; i++) log.log("info", "access", { n: i, pad: "x".repeat(size) });
