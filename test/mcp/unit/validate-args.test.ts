// Tool arguments checked against size and input schema, with errors naming the field.
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { ArgumentValidator } from "../../../server/mcp/validate-args.js";

const tool = (inputSchema: Record<string, unknown>) => ({ name: "t", inputSchema: inputSchema as { type: "object" } });
const schema = {
  type: "object",
  properties: { city: { type: "string" }, days: { type: "integer", minimum: 1 }, unit: { enum: ["c", "f"] }, tags: { type: "array", items: { type: "string" } } },
  required: ["city"],
  additionalProperties: false,
};

function error(fn: () => void): ConnectError {
  try {
    fn();
  } catch (err) {
    return err as ConnectError;
  }
  throw new Error("no error thrown");
}

describe("ArgumentValidator", () => {
  const v = new ArgumentValidator();

  it("passes arguments that match", () => {
    expect(() => v.check(tool(schema), "w.forecast", { city: "Oslo", days: 3, unit: "c", tags: ["a"] }, 1000, "limit")).not.toThrow();
  });

  it("names each wrong field", () => {
    const e = error(() => v.check(tool(schema), "w.forecast", { days: 0, unit: "k", tags: ["a", 2], extra: true }, 1000, "limit"));
    expect(e.code).toBe(Code.InvalidArgument);
    expect(e.rawMessage).toContain('input schema of tool "w.forecast"');
    expect(e.rawMessage).toContain("arguments.city: is required");
    expect(e.rawMessage).toContain("arguments.days: must be >= 1");
    expect(e.rawMessage).toContain('arguments.unit: must be one of ["c","f"]');
    expect(e.rawMessage).toContain("arguments.tags[1]: must be string");
    expect(e.rawMessage).toContain("arguments.extra: is not a field of this tool");
  });

  it("refuses arguments over the size limit, naming the limit", () => {
    const e = error(() => v.check(tool({ type: "object" }), "s.t", { blob: "x".repeat(100) }, 50, 'mcp_servers "s" max_argument_bytes'));
    expect(e.code).toBe(Code.InvalidArgument);
    expect(e.rawMessage).toMatch(/^arguments: 111 bytes of JSON is more than the 50 bytes tool "s.t" accepts \(mcp_servers "s" max_argument_bytes\)$/);
  });

  it("reads draft-07 schemas as draft-07 and leaves schemas it cannot compile to the server", () => {
    const draft7 = { $schema: "http://json-schema.org/draft-07/schema#", type: "object", properties: { n: { type: "number" } } };
    expect(error(() => v.check(tool(draft7), "s.t", { n: "1" }, 1000, "l")).rawMessage).toContain("arguments.n: must be number");
    const warnings: string[] = [];
    const lenient = new ArgumentValidator((_level, msg) => warnings.push(msg));
    expect(() => lenient.check(tool({ type: "object", properties: { a: { $ref: "#/nowhere" } } }), "s.t", { a: 1 }, 1000, "l")).not.toThrow();
    expect(warnings).toHaveLength(1);
  });
});
