// Checks that span sections of a valid config (the schema checks each section alone).
import type { Config, ConfigIssue } from "./index.js";

/** State several worker processes must share: budgets need a store on disk or Redis, rate windows Redis. */
function workerIssues(config: Config): ConfigIssue[] {
  const workers = config.server.workers;
  if (workers === 1) return [];
  const shown = JSON.stringify(workers);
  if (config.store.kind === "memory") {
    return [{ path: "server.workers", message: `${shown} needs a store the workers share: set [store] kind = "sqlite" (one machine) or "redis"; the memory store keeps budgets, usage, API keys made at run time and the request log per process` }];
  }
  if (config.store.kind === "redis") return [];
  const limited = [
    ...config.keys.flatMap((k, i) => [k.rpm !== undefined && `keys[${i}].rpm`, k.tpm !== undefined && `keys[${i}].tpm`, k.tool_rpm !== undefined && `keys[${i}].tool_rpm`]),
    ...config.budgets.flatMap((b, i) => [b.rpm !== undefined && `budgets[${i}].rpm`, b.tpm !== undefined && `budgets[${i}].tpm`]),
    ...config.providers.flatMap((p, i) => [p.rpm !== undefined && `providers[${i}].rpm`, p.tpm !== undefined && `providers[${i}].tpm`]),
    ...(config.mcp_servers ?? []).flatMap((m, i) => [m.rpm !== undefined && `mcp_servers[${i}].rpm`]),
  ].filter((x): x is string => typeof x === "string");
  if (limited.length === 0) return [];
  return [{ path: "server.workers", message: `${shown} with [store] kind = "sqlite" would count ${limited.join(", ")} per process; set [store] kind = "redis" to share rate windows across workers, or run one worker` }];
}

export function crossSectionIssues(config: Config): ConfigIssue[] {
  return workerIssues(config);
}
