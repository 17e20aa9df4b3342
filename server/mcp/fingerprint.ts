// Small shared facts of the MCP bridge that must not pull in the SDK (app
// startup imports them; the SDK and the rest of server/mcp load on first use).
import type { Config } from "../config/schema.js";
import { mcpSettings } from "../config/mcp-schema.js";

export const SERVER_INFO = { name: "hoosh", version: "0.1.0" };

/** The settings a runtime is built from: equal fingerprints may share one. */
export function mcpFingerprint(config: Pick<Config, "mcp_servers" | "mcp">): string {
  return JSON.stringify([config.mcp_servers ?? [], mcpSettings(config)]);
}
