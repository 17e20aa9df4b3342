// JSON Schema -> Gemini's OpenAPI subset, checked against the fake's Google-style schema rules.
import { describe, expect, it } from "vitest";
import { toGeminiSchema } from "../../server/providers/gemini/schema.js";
import { checkSchema } from "../fakes/gemini/validate.js";

const accepted = (schema: unknown) => expect(() => checkSchema(JSON.parse(JSON.stringify(schema)), "parameters", true)).not.toThrow();

describe("toGeminiSchema", () => {
  it("drops keys Gemini does not know and keeps the documented ones", () => {
    const out = toGeminiSchema({
      $schema: "http://json-schema.org/draft-07/schema#",
      $id: "urn:x",
      $comment: "note",
      title: "Args",
      type: "object",
      description: "arguments",
      additionalProperties: false,
      patternProperties: { "^x": { type: "string" } },
      properties: {
        name: { type: "string", minLength: 1, maxLength: 20, pattern: "^[a-z]+$", default: "x", examples: ["a"] },
        when: { type: "string", format: "date-time" },
        email: { type: "string", format: "email" },
        ratio: { type: "number", format: "double", minimum: 0, maximum: 1, exclusiveMaximum: 1 },
        count: { type: "integer", format: "int64", multipleOf: 2 },
        tags: { type: "array", items: { type: "string" }, minItems: 1, maxItems: 3, uniqueItems: true },
        flag: { type: "boolean", not: { const: false } },
      },
      required: ["name", "missing", "name"],
      if: { properties: {} },
    });
    expect(out).toEqual({
      title: "Args",
      type: "OBJECT",
      description: "arguments",
      properties: {
        name: { type: "STRING", minLength: 1, maxLength: 20, pattern: "^[a-z]+$" },
        when: { type: "STRING", format: "date-time" },
        email: { type: "STRING" },
        ratio: { type: "NUMBER", format: "double", minimum: 0, maximum: 1 },
        count: { type: "INTEGER", format: "int64" },
        tags: { type: "ARRAY", items: { type: "STRING" }, minItems: 1, maxItems: 3 },
        flag: { type: "BOOLEAN" },
      },
      required: ["name"],
    });
    accepted(out);
  });

  it("nullable: type arrays and anyOf/oneOf with null", () => {
    const out = toGeminiSchema({
      type: "object",
      properties: {
        a: { type: ["string", "null"] },
        b: { anyOf: [{ type: "integer" }, { type: "null" }] },
        c: { oneOf: [{ type: "string" }, { type: "number" }] },
        d: { type: ["string", "number"] },
      },
    });
    expect(out?.properties).toEqual({
      a: { type: "STRING", nullable: true },
      b: { type: "INTEGER", nullable: true },
      c: { anyOf: [{ type: "STRING" }, { type: "NUMBER" }] },
      d: { anyOf: [{ type: "STRING" }, { type: "NUMBER" }] },
    });
    accepted(out);
  });

  it("enums: string enums and const kept, non-string enums dropped", () => {
    const out = toGeminiSchema({
      type: "object",
      properties: { unit: { type: "string", enum: ["c", "f"] }, kind: { const: "fixed" }, level: { type: "integer", enum: [1, 2] }, untyped: { enum: ["x"] } },
    });
    expect(out?.properties).toEqual({
      unit: { type: "STRING", enum: ["c", "f"] },
      kind: { type: "STRING", enum: ["fixed"] },
      level: { type: "INTEGER" },
      untyped: { type: "STRING", enum: ["x"] },
    });
  });

  it("inlines local $ref / $defs / definitions; a recursive reference is cut to OBJECT", () => {
    const out = toGeminiSchema({
      type: "object",
      $defs: { City: { type: "object", properties: { name: { type: "string" } }, required: ["name"] } },
      definitions: { Node: { type: "object", properties: { value: { type: "integer" }, next: { $ref: "#/definitions/Node", description: "tail" } } } },
      properties: { city: { $ref: "#/$defs/City", description: "where" }, list: { $ref: "#/definitions/Node" }, remote: { $ref: "https://example.com/s.json" } },
    });
    expect(out?.properties).toEqual({
      city: { type: "OBJECT", description: "where", properties: { name: { type: "STRING" } }, required: ["name"] },
      list: { type: "OBJECT", properties: { value: { type: "INTEGER" }, next: { type: "OBJECT", description: "tail" } } },
      remote: {},
    });
  });

  it("merges allOf branches (properties and required united)", () => {
    const out = toGeminiSchema({
      $defs: { Base: { type: "object", properties: { id: { type: "string" } }, required: ["id"] } },
      allOf: [{ $ref: "#/$defs/Base" }, { properties: { size: { type: "number" } }, required: ["size"] }],
    });
    expect(out).toEqual({ type: "OBJECT", properties: { id: { type: "STRING" }, size: { type: "NUMBER" } }, required: ["id", "size"] });
    accepted(out);
  });

  it("infers types from items/properties and orders properties when asked", () => {
    expect(toGeminiSchema({ items: { type: "string" } })).toEqual({ type: "ARRAY", items: { type: "STRING" } });
    expect(toGeminiSchema({ properties: { b: { type: "string" }, a: { type: "string" } } }, { ordered: true })).toEqual({
      type: "OBJECT",
      properties: { b: { type: "STRING" }, a: { type: "STRING" } },
      propertyOrdering: ["b", "a"],
    });
    expect(toGeminiSchema(undefined)).toBeUndefined();
  });

  it("the fake rejects what Google rejects (sanity check of the checker)", () => {
    expect(() => checkSchema({ type: "object", additionalProperties: false, properties: { a: { type: "string" } } }, "parameters", true)).toThrow(/Unknown name "additionalProperties"/);
    expect(() => checkSchema({ type: "object", properties: {} }, "parameters", true)).toThrow(/should be non-empty for OBJECT type/);
    expect(() => checkSchema({ type: "string", format: "email" }, "p")).toThrow(/only 'enum' and 'date-time'/);
    expect(() => checkSchema({ type: "object", properties: { a: { type: "string" } }, required: ["b"] }, "p")).toThrow(/property is not defined/);
  });
});
