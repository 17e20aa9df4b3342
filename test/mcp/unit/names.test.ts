// Exposed MCP names: namespaced, valid per SEP-986, unique, independent of listing order.
import { describe, expect, it } from "vitest";
import { assignNames, exposedName, isValidName, MAX_NAME_LENGTH } from "../../../server/mcp/names.js";

const entry = (server: string, namespace: string, original: string) => ({ server, namespace, original });

describe("exposedName", () => {
  it("prefixes the namespace with a dot, or keeps the name when the namespace is empty", () => {
    expect(exposedName("files", "files", "read_file")).toBe("files.read_file");
    expect(exposedName("", "files", "read_file")).toBe("read_file");
  });

  it("replaces characters SEP-986 does not allow", () => {
    const name = exposedName("web", "web", "fetch url/v2 (beta),x");
    expect(name).toBe("web.fetch_url_v2__beta__x");
    expect(isValidName(name)).toBe(true);
    expect(exposedName("", "s", "")).toBe("_");
  });

  it("cuts names over 128 characters and keeps them apart with a hash", () => {
    const a = exposedName("ns", "s", "a".repeat(200));
    const b = exposedName("ns", "s", `${"a".repeat(199)}b`);
    expect(a.length).toBe(MAX_NAME_LENGTH);
    expect(isValidName(a)).toBe(true);
    expect(a).not.toBe(b);
  });
});

describe("assignNames", () => {
  it("keeps plain names when nothing collides", () => {
    const { byName, renamed } = assignNames([entry("a", "a", "x"), entry("b", "b", "x")], ["a", "b"]);
    expect([...byName.keys()].sort()).toEqual(["a.x", "b.x"]);
    expect(renamed).toEqual([]);
  });

  it("gives the first server in config order the plain name; the other a unique valid one", () => {
    const { byName, renamed } = assignNames([entry("second", "", "search"), entry("first", "", "search")], ["first", "second"]);
    expect(byName.get("search")?.server).toBe("first");
    expect(renamed).toHaveLength(1);
    expect(renamed[0]!.server).toBe("second");
    expect(isValidName(renamed[0]!.name)).toBe(true);
    expect(byName.get(renamed[0]!.name)?.server).toBe("second");
  });

  it("separates names of one server that clean up to the same text", () => {
    const { byName } = assignNames([entry("s", "s", "a b"), entry("s", "s", "a_b")], ["s"]);
    expect(byName.size).toBe(2);
    // Sorted, "a b" comes before "a_b" and takes the plain name; "a_b" gets a hashed one.
    expect(byName.get("s.a_b")?.original).toBe("a b");
  });

  it("does not depend on the order the servers listed their tools in", () => {
    const list = [entry("s", "", "x y"), entry("s", "", "x_y"), entry("t", "", "x_y")];
    const one = assignNames(list, ["s", "t"]);
    const two = assignNames([...list].reverse(), ["s", "t"]);
    expect([...one.byName].map(([n, e]) => [n, e.server, e.original]).sort()).toEqual([...two.byName].map(([n, e]) => [n, e.server, e.original]).sort());
  });
});
