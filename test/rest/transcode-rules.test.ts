// google.api.http rules on a synthetic service: compiling bindings (methods,
// custom, additional_bindings, startup errors) and building request messages
// from path variables, query parameters (repeated, nested, enums, int64, bool,
// well-known types) and bodies, with errors naming the parameter.
import { create, createFileRegistry, setExtension, toJson, type DescFile, type DescService, type MessageInitShape } from "@bufbuild/protobuf";
import * as wkt from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { http } from "../../gen/ts/google/api/annotations_pb.js";
import { HttpRuleSchema } from "../../gen/ts/google/api/http_pb.js";
import { BindingError, compileBindings, type Binding } from "../../server/rest/transcode/bindings.js";
import { buildRequest } from "../../server/rest/transcode/request.js";

const T = wkt.FieldDescriptorProto_Type;
const REPEATED = wkt.FieldDescriptorProto_Label.REPEATED;
type Rule = MessageInitShape<typeof HttpRuleSchema>;
const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const f = (name: string, number: number, type: wkt.FieldDescriptorProto_Type, more: Record<string, unknown> = {}) => ({ name, number, type, jsonName: camel(name), ...more });
const msg = (typeName: string) => ({ typeName: `.${typeName}` });

/** test.v1.ThingService with one method per rule; kinds: "unary" | "server" | "client". */
function service(methods: Array<[name: string, rule: Rule | undefined, kind?: "unary" | "server" | "client"]>): DescService {
  const file = create(wkt.FileDescriptorProtoSchema, {
    name: "test/v1/thing.proto",
    package: "test.v1",
    syntax: "proto3",
    dependency: ["google/protobuf/timestamp.proto", "google/protobuf/field_mask.proto", "google/protobuf/wrappers.proto"],
    enumType: [{ name: "Kind", value: [{ name: "KIND_UNSPECIFIED", number: 0 }, { name: "KIND_BIG", number: 1 }, { name: "KIND_SMALL", number: 2 }] }],
    messageType: [
      { name: "Inner", field: [f("label", 1, T.STRING), f("size", 2, T.UINT32), f("nums", 3, T.INT32, { label: REPEATED })] },
      {
        name: "Thing",
        field: [
          f("name", 1, T.STRING), f("count", 2, T.INT64), f("flag", 3, T.BOOL), f("tags", 4, T.STRING, { label: REPEATED }),
          f("kind", 5, T.ENUM, msg("test.v1.Kind")), f("inner", 6, T.MESSAGE, msg("test.v1.Inner")),
          f("when", 7, T.MESSAGE, msg("google.protobuf.Timestamp")), f("mask", 8, T.MESSAGE, msg("google.protobuf.FieldMask")),
          f("data", 9, T.BYTES), f("ratio", 10, T.DOUBLE), f("small", 11, T.INT32),
          f("wrapped", 12, T.MESSAGE, msg("google.protobuf.Int32Value")),
          f("items", 13, T.MESSAGE, { ...msg("test.v1.Inner"), label: REPEATED }),
          f("kinds", 14, T.ENUM, { ...msg("test.v1.Kind"), label: REPEATED }),
          f("a", 15, T.STRING, { oneofIndex: 0 }), f("b", 16, T.STRING, { oneofIndex: 0 }),
          f("other", 17, T.MESSAGE, msg("test.v1.Inner")),
        ],
        oneofDecl: [{ name: "choice" }],
      },
    ],
    service: [
      {
        name: "ThingService",
        method: methods.map(([name, rule, kind]) => {
          const options = create(wkt.MethodOptionsSchema);
          if (rule) setExtension(options, http, create(HttpRuleSchema, rule));
          return { name, inputType: ".test.v1.Thing", outputType: ".test.v1.Thing", options, serverStreaming: kind === "server", clientStreaming: kind === "client" };
        }),
      },
    ],
  });
  const deps: Record<string, DescFile | undefined> = {
    "google/protobuf/timestamp.proto": wkt.file_google_protobuf_timestamp,
    "google/protobuf/field_mask.proto": wkt.file_google_protobuf_field_mask,
    "google/protobuf/wrappers.proto": wkt.file_google_protobuf_wrappers,
  };
  return createFileRegistry(file, (name) => deps[name]).getService("test.v1.ThingService")!;
}

describe("compileBindings", () => {
  it("reads get/post/put/patch/delete/custom rules and additional_bindings, most specific first", () => {
    const svc = service([
      ["Get", { pattern: { case: "get", value: "/t/things/{name}" }, additionalBindings: [{ pattern: { case: "get", value: "/t/by-kind/{kind}/{inner.label=**}" } }] }],
      ["List", { pattern: { case: "get", value: "/t/things" } }],
      ["Put", { pattern: { case: "put", value: "/t/things/{name}" }, body: "*" }],
      ["Patch", { pattern: { case: "patch", value: "/t/things/{name}" }, body: "inner" }],
      ["Delete", { pattern: { case: "delete", value: "/t/things/{name}" } }],
      ["Head", { pattern: { case: "custom", value: { kind: "head", path: "/t/things/{name}:peek" } } }],
      ["Watch", { pattern: { case: "post", value: "/t/things:watch" }, body: "*" }, "server"],
      ["Upload", undefined, "client"],
    ]);
    const labels = compileBindings([svc]).map((b) => b.label);
    expect([...labels].sort()).toEqual([
      "DELETE /t/things/{name}", "GET /t/by-kind/{kind}/{inner.label=**}", "GET /t/things", "GET /t/things/{name}",
      "HEAD /t/things/{name}:peek", "PATCH /t/things/{name}", "POST /t/things:watch", "PUT /t/things/{name}",
    ]);
    expect(labels.indexOf("HEAD /t/things/{name}:peek")).toBeLessThan(labels.indexOf("GET /t/things/{name}"));
    const patch = compileBindings([svc]).find((b) => b.httpMethod === "PATCH")!;
    expect(typeof patch.body === "object" && patch.body.name).toBe("inner");
  });

  it.each<[string, Rule, string]>([
    ["a /v1/ path", { pattern: { case: "post", value: "/v1/chat/completions" }, body: "*" }, "could match paths under /v1/"],
    ["a path starting with a variable", { pattern: { case: "get", value: "/{name=**}" } }, "could match paths under /v1/"],
    ["a GET with a body", { pattern: { case: "get", value: "/t/x" }, body: "*" }, "a GET binding must not have a body"],
    ["an unknown body field", { pattern: { case: "post", value: "/t/x" }, body: "nope" }, 'body "nope" is not a top-level field'],
    ["an unknown variable", { pattern: { case: "get", value: "/t/{nope}" } }, 'has no field "nope"'],
    ["a message variable", { pattern: { case: "get", value: "/t/{inner}" } }, "must name a singular scalar or enum field"],
    ["a repeated variable", { pattern: { case: "get", value: "/t/{tags}" } }, "must name a singular scalar or enum field"],
    ["a bad template", { pattern: { case: "get", value: "/t/{name" } }, 'unbalanced "{"'],
    ["no pattern", {}, "has no pattern"],
    ["nested additional_bindings", { pattern: { case: "get", value: "/t/a" }, additionalBindings: [{ pattern: { case: "get", value: "/t/b" }, additionalBindings: [{ pattern: { case: "get", value: "/t/c" } }] }] }, "must not nest"],
  ])("stops startup on %s", (_, rule, why) => {
    expect(() => compileBindings([service([["M", rule]])])).toThrow(BindingError);
    expect(() => compileBindings([service([["M", rule]])])).toThrow(why);
  });

  it("stops startup on duplicate bindings and annotated client-streaming RPCs", () => {
    const get = { pattern: { case: "get", value: "/t/x" } } as const;
    expect(() => compileBindings([service([["A", get], ["B", get]])])).toThrow("GET /t/x is already bound to test.v1.ThingService.A");
    expect(() => compileBindings([service([["A", get, "client"]])])).toThrow("client-streaming RPC is not supported");
  });
});

describe("buildRequest", () => {
  const svc = service([
    ["Get", { pattern: { case: "get", value: "/t/things/{name}/{inner.label=**}" } }],
    ["Post", { pattern: { case: "post", value: "/t/things/{name}" }, body: "*" }],
    ["Patch", { pattern: { case: "patch", value: "/t/things/{name}" }, body: "inner" }],
  ]);
  const [get, post, patch] = ["GET", "POST", "PATCH"].map((m) => compileBindings([svc]).find((b) => b.httpMethod === m)!) as [Binding, Binding, Binding];
  const registry = createFileRegistry();
  const build = (b: Binding, values: string[], query: string, body?: string) =>
    toJson(b.method.input, buildRequest(b, values, new URLSearchParams(query), body === undefined ? undefined : Buffer.from(body), registry));
  const fails = (b: Binding, query: string, body?: string) => {
    try {
      build(b, ["n", "l"], query, body);
    } catch (err) {
      expect(err).toBeInstanceOf(ConnectError);
      expect((err as ConnectError).code).toBe(Code.InvalidArgument);
      return (err as ConnectError).rawMessage;
    }
    throw new Error("expected InvalidArgument");
  };

  it("sets path variables (nested, multi-segment) and typed query parameters", () => {
    const q = "count=-9007199254740993&flag=true&tags=a&tags=b&kind=KIND_BIG&inner.size=7&inner.nums=1&inner.nums=2" +
      "&when=2024-05-01T00:00:00Z&mask=capacityTokens,pool_name&data=aGk_&ratio=1.5e3&small=-3&wrapped=4&kinds=2&kinds=KIND_BIG&a=x";
    expect(build(get, ["n 1", "x/y"], q)).toEqual({
      name: "n 1", count: "-9007199254740993", flag: true, tags: ["a", "b"], kind: "KIND_BIG",
      inner: { label: "x/y", size: 7, nums: [1, 2] }, when: "2024-05-01T00:00:00Z", mask: "capacityTokens,poolName",
      data: "aGk/", ratio: 1500, small: -3, wrapped: 4, kinds: ["KIND_SMALL", "KIND_BIG"], a: "x",
    });
    expect(build(get, ["n", "l"], "flag=0&kind=1")).toMatchObject({ kind: "KIND_BIG" });
  });

  it.each([
    ["count=12x", 'query parameter count: "12x" is not an integer (int64)'],
    ["count=9223372036854775808", "is not in range for int64"],
    ["small=2147483648", "is not in range for int32"],
    ["inner.size=-1", 'query parameter inner.size: "-1" is not in range for uint32'],
    ["flag=yes", 'query parameter flag: "yes" is not a bool (true or false)'],
    ["kind=KIND_HUGE", 'query parameter kind: "KIND_HUGE" is not one of: KIND_UNSPECIFIED, KIND_BIG, KIND_SMALL'],
    ["kind=7", '"7" is not one of'],
    ["ratio=abc", '"abc" is not a number'],
    ["data=%%%", "is not base64"],
    ["when=yesterday", "is not an RFC 3339 time"],
    ["nope=1", "query parameter nope: test.v1.Thing has no field \"nope\""],
    ["inner.nope=1", 'query parameter inner.nope: test.v1.Inner has no field "nope"'],
    ["flag.x=1", "flag is not a message field"],
    ["other=1", "other is a test.v1.Inner; set its fields as query parameter other.FIELD"],
    ["items=1", "items is a list of messages"],
    ["flag=true&flag=false", "query parameter flag: given more than once, but flag is not a repeated field"],
    ["a=1&b=2", "b and a are in the same oneof"],
    ["name=other", "query parameter name: name is set by the URL path"],
    ["inner.label=other", "inner.label is set by the URL path"],
  ])("rejects %s", (query, message) => {
    expect(fails(get, query)).toContain(message);
  });

  it("reads the JSON body (all fields or one field), path variables win, query only outside the body", () => {
    expect(build(post, ["n"], "", '{"name":"body","count":"5","inner":{"label":"x"}}')).toEqual({ name: "n", count: "5", inner: { label: "x" } });
    expect(build(post, ["n"], "", "")).toEqual({ name: "n" });
    expect(build(patch, ["n"], "flag=true&tags=t", '{"label":"x","size":3}')).toEqual({ name: "n", flag: true, tags: ["t"], inner: { label: "x", size: 3 } });
    expect(fails(post, "flag=true", "{}")).toContain("query parameter flag: not allowed; the JSON body sets every field");
    expect(fails(patch, "inner.size=1", "{}")).toContain("query parameter inner.size: inner is set by the JSON body");
  });

  it.each([
    ["{", "body: not valid JSON"],
    ["[1]", "body: must be a JSON object (test.v1.Thing), got an array"],
    ['{"bogus":1}', 'key "bogus" is unknown'],
    ['{"kind":"KIND_HUGE"}', "KIND_HUGE"],
    ['{"count":"x"}', "test.v1.Thing.count"],
    [`{"inner":${"[".repeat(129)}${"]".repeat(129)}}`, "body: nests objects and arrays more than 128 levels deep"],
  ])("rejects the body %s", (body, message) => {
    expect(fails(post, "", body)).toContain(message);
  });
});
