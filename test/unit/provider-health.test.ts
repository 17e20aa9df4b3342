// ProviderHealth: state from real traffic.
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { HealthState } from "../../gen/ts/hoosh/v1/models_pb.js";
import { ProviderHealth } from "../../server/core/provider-health.js";

const fail = (code: Code, message = "boom") => new ConnectError(message, code);
const state = (h: ProviderHealth, name: string) => HealthState[h.get(name).state];

describe("ProviderHealth", () => {
  it("UNKNOWN → DEGRADED → UNHEALTHY → HEALTHY", () => {
    const h = new ProviderHealth();
    expect(h.get("p")).toEqual({ state: HealthState.UNKNOWN, reason: "" });
    h.failure("p", fail(Code.Unavailable, "connection refused"));
    expect(h.get("p")).toEqual({ state: HealthState.DEGRADED, reason: "connection refused" });
    h.failure("p", fail(Code.DeadlineExceeded, "timed out"));
    expect(state(h, "p")).toBe("DEGRADED");
    h.failure("p", fail(Code.Internal, "bad json"));
    expect(h.get("p")).toEqual({ state: HealthState.UNHEALTHY, reason: "circuit open after 3 failures: bad json" });
    h.failure("p", fail(Code.Unavailable));
    expect(state(h, "p")).toBe("UNHEALTHY");
    h.success("p");
    expect(h.get("p")).toEqual({ state: HealthState.HEALTHY, reason: "" });
  });

  it("one success resets the failure count", () => {
    const h = new ProviderHealth();
    h.failure("p", fail(Code.Unavailable));
    h.failure("p", fail(Code.Unavailable));
    h.success("p");
    h.failure("p", fail(Code.Unavailable));
    expect(state(h, "p")).toBe("DEGRADED");
  });

  it("client-side codes do not count", () => {
    const h = new ProviderHealth();
    for (const code of [Code.InvalidArgument, Code.NotFound, Code.ResourceExhausted, Code.Canceled, Code.Aborted, Code.FailedPrecondition]) {
      h.failure("p", fail(code));
    }
    expect(state(h, "p")).toBe("UNKNOWN");
    h.success("p");
    h.failure("p", fail(Code.InvalidArgument));
    h.failure("p", fail(Code.NotFound));
    expect(state(h, "p")).toBe("HEALTHY");
  });

  it("auth and unknown failures count as provider faults", () => {
    for (const code of [Code.Unauthenticated, Code.PermissionDenied, Code.Unknown]) {
      const h = new ProviderHealth();
      h.failure("p", fail(code));
      expect(state(h, "p"), Code[code]).toBe("DEGRADED");
    }
  });

  it("keeps providers apart", () => {
    const h = new ProviderHealth();
    h.failure("a", fail(Code.Unavailable));
    h.success("b");
    expect(state(h, "a")).toBe("DEGRADED");
    expect(state(h, "b")).toBe("HEALTHY");
    expect(state(h, "c")).toBe("UNKNOWN");
  });
});
