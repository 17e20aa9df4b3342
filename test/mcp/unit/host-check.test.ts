// DNS rebinding protection of /mcp: Host and Origin checks.
import { describe, expect, it } from "vitest";
import { hostCheck } from "../../../server/host-check.js";

describe("hostCheck", () => {
  const loopback = hostCheck("127.0.0.1", undefined, undefined);

  it("accepts loopback names on any port when bound to loopback", () => {
    for (const host of ["localhost:8088", "127.0.0.1:1", "[::1]:9", "localhost", "LOCALHOST:3"]) expect(loopback(host, undefined)).toBeUndefined();
    expect(loopback("127.0.0.1:8088", "http://localhost:3000")).toBeUndefined();
  });

  it("refuses other hosts, a missing host and foreign or null origins", () => {
    expect(loopback("evil.example.com", undefined)).toMatch(/Host "evil.example.com" is not allowed/);
    expect(loopback("localhost.evil.com:80", undefined)).toMatch(/not allowed/);
    expect(loopback(undefined, undefined)).toMatch(/no Host header/);
    expect(loopback("localhost:8088", "http://evil.example.com")).toMatch(/Origin "http:\/\/evil.example.com" is not allowed/);
    expect(loopback("localhost:8088", "null")).toMatch(/Origin null/);
    expect(loopback("localhost:8088", "not a url")).toMatch(/not a URL/);
  });

  it("allows any host on a non-loopback bind unless lists are configured", () => {
    expect(hostCheck("0.0.0.0", undefined, undefined)("anything.example", "http://x.example")).toBeUndefined();
    const listed = hostCheck("0.0.0.0", ["mcp.example.com"], ["https://app.example.com"]);
    expect(listed("mcp.example.com:443", "https://app.example.com")).toBeUndefined();
    expect(listed("other.example.com", undefined)).toMatch(/allowed_hosts/);
    expect(listed("mcp.example.com", "https://evil.example.com")).toMatch(/allowed_origins/);
  });
});
