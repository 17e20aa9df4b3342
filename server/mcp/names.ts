// Exposed names of MCP tools, prompts and resources: "namespace.name", or the
// server's own name when its namespace is "". Every exposed name is valid per
// SEP-986 (1..128 of A-Z a-z 0-9 _ - .) and unique: characters outside the set
// become "_", and a name that is too long or already taken gets a short hash of
// its server and original name. Assignment is deterministic: servers in config
// order, each server's names sorted, so a name never depends on listing order.
import { createHash } from "node:crypto";

export const MAX_NAME_LENGTH = 128;
const VALID = /^[A-Za-z0-9._-]{1,128}$/;
const INVALID_CHARS = /[^A-Za-z0-9._-]/g;

/** True when the name is a valid SEP-986 tool name. */
export function isValidName(name: string): boolean {
  return VALID.test(name);
}

function suffix(server: string, original: string): string {
  return createHash("sha256").update(`${server}\0${original}`).digest("hex").slice(0, 8);
}

/** The plain exposed name (may still collide): namespace prefix, invalid characters replaced, capped in length. */
export function exposedName(namespace: string, server: string, original: string): string {
  const base = original.replace(INVALID_CHARS, "_") || "_";
  const full = namespace === "" ? base : `${namespace}.${base}`;
  if (full.length <= MAX_NAME_LENGTH) return full;
  return `${full.slice(0, MAX_NAME_LENGTH - 9)}-${suffix(server, original)}`;
}

/** A unique variant of a name that is taken: the server and original name hashed into its end. */
function disambiguated(plain: string, server: string, original: string): string {
  const tail = `-${suffix(server, original)}`;
  return `${plain.slice(0, MAX_NAME_LENGTH - tail.length)}${tail}`;
}

export interface Nameable {
  server: string;
  namespace: string;
  original: string;
}

export interface Assigned<T> {
  byName: Map<string, T & { name: string }>;
  /** Entries whose plain name was taken, with the name they got instead. */
  renamed: { server: string; original: string; plain: string; name: string }[];
}

/**
 * Names every entry uniquely. `serverOrder` ranks servers (config order); within a
 * server, original names are taken in sorted order.
 */
export function assignNames<T extends Nameable>(entries: readonly T[], serverOrder: readonly string[]): Assigned<T> {
  const rank = new Map(serverOrder.map((s, i) => [s, i]));
  const sorted = [...entries].sort((a, b) => (rank.get(a.server) ?? 0) - (rank.get(b.server) ?? 0) || (a.original < b.original ? -1 : a.original > b.original ? 1 : 0));
  const byName = new Map<string, T & { name: string }>();
  const renamed: Assigned<T>["renamed"] = [];
  for (const entry of sorted) {
    const plain = exposedName(entry.namespace, entry.server, entry.original);
    let name = plain;
    if (byName.has(name)) {
      name = disambiguated(plain, entry.server, entry.original);
      renamed.push({ server: entry.server, original: entry.original, plain, name });
    }
    byName.set(name, { ...entry, name });
  }
  return { byName, renamed };
}
