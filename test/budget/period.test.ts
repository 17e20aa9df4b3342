import { describe, expect, it } from "vitest";

import {
  currentPeriodStart,
  initialPeriodStart,
  periodEndAfter,
  periodStartAt,
  utcDay,
} from "../../server/core/budget/period.js";

const at = (iso: string): number => Date.parse(iso);

describe("period math (UTC)", () => {
  it("finds the start of hourly, daily and monthly periods", () => {
    const t = at("2024-02-29T13:45:12.345Z");
    expect(periodStartAt("hourly", t)).toBe(at("2024-02-29T13:00:00Z"));
    expect(periodStartAt("daily", t)).toBe(at("2024-02-29T00:00:00Z"));
    expect(periodStartAt("monthly", t)).toBe(at("2024-02-01T00:00:00Z"));
    expect(periodStartAt("none", t)).toBeUndefined();
  });

  it("treats a boundary instant as the start of the new period", () => {
    expect(periodStartAt("hourly", at("2025-03-01T05:00:00Z"))).toBe(at("2025-03-01T05:00:00Z"));
    expect(periodStartAt("daily", at("2025-03-01T00:00:00Z"))).toBe(at("2025-03-01T00:00:00Z"));
    expect(periodStartAt("monthly", at("2025-03-01T00:00:00Z"))).toBe(at("2025-03-01T00:00:00Z"));
    expect(periodStartAt("monthly", at("2025-02-28T23:59:59.999Z"))).toBe(at("2025-02-01T00:00:00Z"));
  });

  it("ends months on their real lengths, across leap years and the year end", () => {
    const end = (iso: string): number | undefined => periodEndAfter("monthly", at(iso));
    expect(end("2024-02-01T00:00:00Z")).toBe(at("2024-03-01T00:00:00Z")); // 29 days
    expect(end("2025-02-01T00:00:00Z")).toBe(at("2025-03-01T00:00:00Z")); // 28 days
    expect(end("2025-04-01T00:00:00Z")).toBe(at("2025-05-01T00:00:00Z")); // 30 days
    expect(end("2025-12-01T00:00:00Z")).toBe(at("2026-01-01T00:00:00Z"));
    expect((end("2024-02-01T00:00:00Z") ?? 0) - at("2024-02-01T00:00:00Z")).toBe(29 * 86_400_000);
  });

  it("ends hours and days after fixed lengths; none never ends", () => {
    expect(periodEndAfter("hourly", at("2025-01-01T23:00:00Z"))).toBe(at("2025-01-02T00:00:00Z"));
    expect(periodEndAfter("daily", at("2025-12-31T00:00:00Z"))).toBe(at("2026-01-01T00:00:00Z"));
    expect(periodEndAfter("none", 0)).toBeUndefined();
  });

  it("rolls forward only, never back to an earlier period", () => {
    const start = at("2025-01-15T12:00:00Z");
    expect(currentPeriodStart("hourly", start, at("2025-01-15T12:59:59Z"))).toBe(start);
    expect(currentPeriodStart("hourly", start, at("2025-01-15T13:00:00Z"))).toBe(at("2025-01-15T13:00:00Z"));
    expect(currentPeriodStart("hourly", start, at("2025-01-15T11:30:00Z"))).toBe(start); // lagging clock
    expect(currentPeriodStart("none", start, at("2030-01-01T00:00:00Z"))).toBe(start);
  });

  it("starts a none balance at creation and formats UTC days", () => {
    expect(initialPeriodStart("none", 1234)).toBe(1234);
    expect(initialPeriodStart("daily", at("2025-01-15T12:00:00Z"))).toBe(at("2025-01-15T00:00:00Z"));
    expect(utcDay(at("2025-01-15T23:59:59Z"))).toBe("2025-01-15");
  });
});
