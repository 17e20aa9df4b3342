// Arguments in logs and audit entries: credentials hidden, long strings cut.
import { describe, expect, it } from "vitest";
import { REDACTED, redactArguments } from "../../../server/mcp/redact.js";

describe("redactArguments", () => {
  it("hides values under credential-like names at any depth", () => {
    expect(redactArguments({ q: "x", apiKey: "sk-1", nested: { password: "p", list: [{ token: "t", ok: 1 }] }, Authorization: "Bearer z" })).toEqual({
      q: "x",
      apiKey: REDACTED,
      nested: { password: REDACTED, list: [{ token: REDACTED, ok: 1 }] },
      Authorization: REDACTED,
    });
  });

  it("cuts long strings", () => {
    const out = redactArguments({ text: "a".repeat(2000) }) as { text: string };
    expect(out.text.length).toBeLessThan(600);
    expect(out.text).toContain("(2000 chars)");
  });
});
