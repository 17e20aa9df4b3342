// findBadEnum: the path of an unknown enum value in a protobuf JSON body (after fromJson failed).
import { describe, expect, it } from "vitest";
import { GenerateRequestSchema } from "../../gen/ts/hoosh/v1/inference_pb.js";
import { ListModelsRequestSchema } from "../../gen/ts/hoosh/v1/models_pb.js";
import { describeBadEnum, findBadEnum } from "../../server/core/enum-path.js";

describe("findBadEnum", () => {
  it("names a repeated message's enum field by index, in proto names", () => {
    const bad = findBadEnum(GenerateRequestSchema, { model: "m", messages: [{ role: "ROLE_USER" }, { role: "ROLE_ROBOT" }] });
    expect(bad?.path).toBe("messages[1].role");
    expect(describeBadEnum(bad!)).toMatch(/^messages\[1\]\.role: "ROLE_ROBOT" is not one of: ROLE_UNSPECIFIED, ROLE_SYSTEM, /);
  });

  it("follows nested messages and json names", () => {
    const bad = findBadEnum(GenerateRequestSchema, { model: "m", responseFormat: { type: "TYPE_XML" } });
    expect(bad?.path).toBe("response_format.type");
  });

  it("a top-level enum, a wrong type, and no enum problem at all", () => {
    expect(findBadEnum(ListModelsRequestSchema, { capability: "CAPABILITY_TELEPATHY" })?.path).toBe("capability");
    expect(findBadEnum(ListModelsRequestSchema, { capability: true })?.path).toBe("capability");
    expect(findBadEnum(ListModelsRequestSchema, { capability: "CAPABILITY_CHAT", provider: "x" })).toBeUndefined();
    expect(findBadEnum(ListModelsRequestSchema, { capability: 99 })).toBeUndefined();
  });
});
