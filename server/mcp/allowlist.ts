// Name patterns: which exposed MCP names a key may use ([[keys]] tools), and
// which of its own tools a server serves ([[mcp_servers]] tools / deny_tools).
// Globs as picomatch reads them; "." is an ordinary character, "*" matches any run.
import picomatch from "picomatch";

export type NameFilter = (name: string) => boolean;

/** True for names some pattern matches; an empty list matches nothing. */
export function patternFilter(patterns: readonly string[]): NameFilter {
  if (patterns.length === 0) return () => false;
  if (patterns.includes("*")) return () => true;
  const match = picomatch([...patterns], { dot: true });
  return (name) => match(name);
}

/** A server's own filter: allowed by `allow` and not by `deny`. */
export function serverFilter(allow: readonly string[], deny: readonly string[]): NameFilter {
  const allowed = patternFilter(allow);
  if (deny.length === 0) return allowed;
  const denied = patternFilter(deny);
  return (name) => allowed(name) && !denied(name);
}

/** Everything (auth off). */
export const ALLOW_ALL: NameFilter = () => true;
