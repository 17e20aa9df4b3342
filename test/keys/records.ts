// Key store records for unit tests: a stored key with the given id and secret hash, and a team.
import type { StoredKey, StoredTeam } from "../../server/core/keys/types.js";

/** 2026-01-01T00:00:00Z: when test records are made. */
export const T = Date.UTC(2026, 0, 1);

export const storedKey = (id: string, hash: string, over: Partial<StoredKey> = {}): StoredKey => ({
  id,
  name: id,
  scopes: ["inference"],
  models: [],
  limits: {},
  metadata: {},
  createdAt: T,
  hash,
  ...over,
});

export const storedTeam = (name: string, over: Partial<StoredTeam> = {}): StoredTeam => ({ name, limits: {}, metadata: {}, createdAt: T, ...over });
