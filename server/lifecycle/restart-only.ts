// Server settings the running listener owns: they cannot change without a
// restart. A reload whose config changes one of them is rejected (nothing is
// applied), naming each key, so the running config never silently differs
// from the file.
import type { Config, ConfigIssue } from "../config/index.js";

export const RESTART_ONLY = ["bind", "port", "max_header_bytes", "max_concurrent_streams", "workers"] as const;

export function restartOnlyIssues(running: Config, next: Config): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const key of RESTART_ONLY) {
    const was = running.server[key];
    const now = next.server[key];
    if (was === now) continue;
    issues.push({
      path: `server.${key}`,
      message: `changed from ${JSON.stringify(was ?? null)} to ${JSON.stringify(now ?? null)}; this setting cannot change on reload, restart hoosh to apply it`,
    });
  }
  return issues;
}
