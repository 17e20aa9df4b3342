// Path templates: compiling (grammar, variables, verbs, errors), matching
// request paths (URL-decoding, "**", trailing slash) and specificity order.
import { describe, expect, it } from "vitest";
import { compareSpecificity, compileTemplate, matchTemplate, splitPath, TemplateError } from "../../server/rest/transcode/template.js";

const match = (template: string, path: string) => matchTemplate(compileTemplate(template), splitPath(path));

describe("compileTemplate", () => {
  it("compiles literals, variables, nested field paths and verbs", () => {
    const t = compileTemplate("/hoosh/v1/budget/reservations/{reservation_id}:commit");
    expect(t.verb).toBe("commit");
    expect(t.tokens.map((x) => x.kind)).toEqual(["literal", "literal", "literal", "literal", "any"]);
    expect(t.variables).toEqual([{ fieldPath: ["reservation_id"], start: 4, end: 5 }]);
    expect(compileTemplate("/hoosh/v1/budget/pools/{pool.name}").variables[0]?.fieldPath).toEqual(["pool", "name"]);
    expect(compileTemplate("/hoosh/v1/generate:stream").verb).toBe("stream");
    expect(compileTemplate("/hoosh/v1/generate").verb).toBeUndefined();
  });

  it("compiles {x=*}, {x=**} and multi-segment variables", () => {
    expect(compileTemplate("/a/{x=*}").tokens.at(-1)).toEqual({ kind: "any" });
    expect(compileTemplate("/a/{id=**}").tokens.at(-1)).toEqual({ kind: "deep" });
    const t = compileTemplate("/a/{name=shelves/*/books/*}/c");
    expect(t.variables).toEqual([{ fieldPath: ["name"], start: 1, end: 5 }]);
    expect(t.tokens).toHaveLength(6);
  });

  it.each([
    ["hoosh/v1", 'must start with "/"'],
    ["/a//b", "empty segment"],
    ["/a/{x", 'unbalanced "{"'],
    ["/a/x}", 'unbalanced "}"'],
    ["/a/{x={y}}", "nested braces"],
    ["/a/**/b", '"**" must be the last segment'],
    ["/a/{x}/{x}", "variable x appears twice"],
    ["/a/{1x}", "is not a field path"],
    ["/a/b{x}", "is not a literal"],
  ])("rejects %s", (source, why) => {
    expect(() => compileTemplate(source)).toThrow(TemplateError);
    expect(() => compileTemplate(source)).toThrow(why);
  });
});

describe("matchTemplate", () => {
  it("matches literals exactly and captures single-segment variables", () => {
    expect(match("/hoosh/v1/models", "/hoosh/v1/models")).toEqual([]);
    expect(match("/hoosh/v1/models", "/hoosh/v1/model")).toBeUndefined();
    expect(match("/hoosh/v1/budget/pools/{name}", "/hoosh/v1/budget/pools/team")).toEqual(["team"]);
    expect(match("/hoosh/v1/budget/pools/{name}", "/hoosh/v1/budget/pools/team/x")).toBeUndefined();
    expect(match("/hoosh/v1/budget/pools/{pool.name}", "/hoosh/v1/budget/pools/a.b")).toEqual(["a.b"]);
  });

  it('"**" takes the rest of the path with its slashes, and zero segments', () => {
    expect(match("/hoosh/v1/models/{id=**}", "/hoosh/v1/models/org/llama-3/8b")).toEqual(["org/llama-3/8b"]);
    expect(match("/hoosh/v1/models/{id=**}", "/hoosh/v1/models/gpt-4o")).toEqual(["gpt-4o"]);
    expect(match("/hoosh/v1/models/{id=**}", "/hoosh/v1/models/llama3:8b")).toEqual(["llama3:8b"]);
    expect(match("/hoosh/v1/{rest=**}", "/hoosh/v1")).toEqual([""]);
  });

  it("URL-decodes each segment; %2F in one segment is a slash in the value", () => {
    expect(match("/hoosh/v1/models/{id=**}", "/hoosh/v1/models/org%2Fllama%203")).toEqual(["org/llama 3"]);
    expect(match("/hoosh/v1/budget/pools/{name}", "/hoosh/v1/budget/pools/a%2Fb")).toEqual(["a/b"]);
    expect(match("/hoosh/v1/budget/pools/{name}", "/hoosh/v1/budget/pools/%74eam")).toEqual(["team"]);
    expect(() => splitPath("/hoosh/v1/budget/pools/%zz")).toThrow(URIError);
  });

  it("matches the verb suffix only where the template has one", () => {
    const commit = "/hoosh/v1/budget/reservations/{reservation_id}:commit";
    expect(match(commit, "/hoosh/v1/budget/reservations/r_1:commit")).toEqual(["r_1"]);
    expect(match(commit, "/hoosh/v1/budget/reservations/r_1:release")).toBeUndefined();
    expect(match(commit, "/hoosh/v1/budget/reservations/r_1")).toBeUndefined();
    expect(match(commit, "/hoosh/v1/budget/reservations/:commit")).toBeUndefined();
    expect(match("/hoosh/v1/generate:stream", "/hoosh/v1/generate:stream")).toEqual([]);
    expect(match("/hoosh/v1/generate", "/hoosh/v1/generate:stream")).toBeUndefined();
    expect(match("/hoosh/v1/generate:stream", "/hoosh/v1/generate")).toBeUndefined();
  });

  it("ignores one trailing slash, but never matches an empty segment with a variable", () => {
    expect(match("/hoosh/v1/models", "/hoosh/v1/models/")).toEqual([]);
    expect(match("/hoosh/v1/budget/pools/{name}", "/hoosh/v1/budget/pools/team/")).toEqual(["team"]);
    expect(match("/hoosh/v1/budget/pools/{name}", "/hoosh/v1/budget/pools/")).toBeUndefined();
    expect(match("/hoosh/v1/budget/pools/{name}", "/hoosh/v1/budget/pools//")).toBeUndefined();
    expect(match("/hoosh/v1/models", "/hoosh/v1//models")).toBeUndefined();
  });
});

describe("compareSpecificity", () => {
  it("orders literals before variables, single before multi-segment, verbs first", () => {
    const sources = ["/a/{id=**}", "/a/{id}", "/a/b", "/a", "/a/{id}:x"];
    const sorted = sources.map(compileTemplate).sort(compareSpecificity).map((t) => t.source);
    expect(sorted).toEqual(["/a/b", "/a/{id}:x", "/a/{id}", "/a", "/a/{id=**}"]);
  });
});
