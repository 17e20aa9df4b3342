// What every KeyStore (memory, SQLite, Redis) must do: one version counter bumped by every write
// and changes(since) bringing a reader exactly the newer records; a name unique among unrevoked
// keys (a revoked key frees it); a key's team must exist; writes compare the version read
// (a stale writer gets "conflict" and changes nothing); a team with live keys cannot be deleted;
// last-use times keep the latest and never bump the version.
import { describe, expect, it } from "vitest";
import type { KeyStore, StoredKey, StoredTeam } from "../../server/core/keys/types.js";

const key = (id: string, over: Partial<StoredKey> = {}): StoredKey => ({
  id,
  name: `name-${id}`,
  scopes: ["inference"],
  models: [],
  limits: {},
  metadata: {},
  createdAt: 1,
  hash: `${id}`.padEnd(64, "0"),
  ...over,
});
const team = (name: string, over: Partial<StoredTeam> = {}): StoredTeam => ({ name, limits: { rpm: 5 }, metadata: {}, createdAt: 1, ...over });

export function describeKeyStoreContract(name: string, fresh: () => KeyStore | Promise<KeyStore>): void {
  describe(`${name}: key store contract`, () => {
    it("every write bumps the version; changes(since) returns exactly the newer records", async () => {
      const s = await fresh();
      expect(await s.version()).toBe(0);
      expect((await s.createTeam(team("t"))).status).toBe("ok");
      const a = await s.createKey(key("a", { team: "t", budget: { tokens: 10, period: "daily" }, expiresAt: 99, metadata: { x: "1" } }));
      const b = await s.createKey(key("b"));
      expect(a.status === "ok" && b.status === "ok" && b.version > a.version).toBe(true);
      expect(await s.version()).toBe(b.status === "ok" ? b.version : -1);
      const all = await s.changes(0);
      expect(all.keys.map((k) => k.id).sort()).toEqual(["a", "b"]);
      expect(all.teams.map((t) => t.name)).toEqual(["t"]);
      expect(all.keys.find((k) => k.id === "a")).toMatchObject({ team: "t", budget: { tokens: 10, period: "daily" }, expiresAt: 99, metadata: { x: "1" } });
      const since = await s.changes(a.status === "ok" ? a.version : 0);
      expect(since.keys.map((k) => k.id)).toEqual(["b"]);
      expect(since.teams).toEqual([]);
    });

    it("a name is unique among unrevoked keys; a revoked key frees it", async () => {
      const s = await fresh();
      await s.createKey(key("a", { name: "same" }));
      expect(await s.createKey(key("b", { name: "same" }))).toEqual({ status: "name-taken", holder: "a" });
      expect((await s.changes(0)).keys.map((k) => k.id)).toEqual(["a"]);
      const a = (await s.getKey("a"))!;
      const { version, ...rest } = a;
      expect((await s.replaceKey({ ...rest, revokedAt: 5 }, version)).status).toBe("ok");
      expect((await s.createKey(key("b", { name: "same" }))).status).toBe("ok");
      expect((await s.createKey(key("b", { name: "other" }))).status).toBe("conflict");
    });

    it("a key's team must exist; a stale replace is a conflict and changes nothing", async () => {
      const s = await fresh();
      expect((await s.createKey(key("a", { team: "ghost" }))).status).toBe("no-team");
      expect(await s.getKey("a")).toBeUndefined();
      await s.createKey(key("a"));
      const read = (await s.getKey("a"))!;
      const { version, ...rest } = read;
      expect((await s.replaceKey({ ...rest, models: ["x*"] }, version)).status).toBe("ok");
      expect((await s.replaceKey({ ...rest, models: ["y*"] }, version)).status).toBe("conflict");
      expect((await s.getKey("a"))!.models).toEqual(["x*"]);
      expect((await s.replaceKey(key("nope"), 1)).status).toBe("not-found");
    });

    it("teams: exists, conflict, in-use, deleted (and then gone for new keys)", async () => {
      const s = await fresh();
      await s.createTeam(team("t"));
      expect((await s.createTeam(team("t"))).status).toBe("exists");
      await s.createKey(key("a", { team: "t" }));
      const t = (await s.getTeam("t"))!;
      const { version, ...rest } = t;
      expect((await s.replaceTeam({ ...rest, limits: { rpm: 9 } }, version)).status).toBe("ok");
      expect((await s.replaceTeam({ ...rest, limits: { rpm: 1 } }, version)).status).toBe("conflict");
      const cur = (await s.getTeam("t"))!;
      expect(cur.limits).toEqual({ rpm: 9 });
      expect(await s.deleteTeam("t", cur.version, 10)).toEqual({ status: "in-use", keys: 1 });
      const a = (await s.getKey("a"))!;
      const { version: av, ...ak } = a;
      await s.replaceKey({ ...ak, revokedAt: 5 }, av);
      expect((await s.deleteTeam("t", cur.version, 10)).status).toBe("ok");
      expect(await s.getTeam("t")).toBeUndefined();
      expect((await s.createKey(key("b", { team: "t" }))).status).toBe("no-team");
      expect((await s.changes(0)).teams.find((x) => x.name === "t")?.deletedAt).toBe(10);
    });

    it("touch keeps the latest last-use time and does not bump the version", async () => {
      const s = await fresh();
      await s.createKey(key("a"));
      const v = await s.version();
      await s.touch(new Map([["a", 50]]));
      await s.touch(new Map([["a", 40]]));
      expect((await s.lastUsed()).get("a")).toBe(50);
      expect(await s.version()).toBe(v);
    });
  });
}
