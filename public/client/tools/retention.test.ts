import { describe, expect, it } from "vitest";
import { describeDays, KEPT_FOR_EVER, readRetentionDays, retentionText } from "./retention.js";

describe("retentionText", () => {
  it("says a whole number of days as it is", () => {
    expect(retentionText(30)).toBe("Boards unused for 30 days are deleted.");
    expect(retentionText(1)).toBe("Boards unused for 1 day are deleted.");
    expect(retentionText(36_500)).toBe("Boards unused for 36,500 days are deleted.");
  });

  it("says that boards are kept for 0, which keeps them for ever, and for a missing or odd setting", () => {
    expect(retentionText(0)).toBe(KEPT_FOR_EVER);
    expect(retentionText(undefined)).toBe(KEPT_FOR_EVER);
    expect(retentionText(Number.NaN)).toBe(KEPT_FOR_EVER);
    expect(retentionText(-1)).toBe(KEPT_FOR_EVER);
    expect(retentionText("30")).toBe(KEPT_FOR_EVER);
  });

  it("says less than a day in hours, minutes or seconds", () => {
    expect(retentionText(0.0001)).toBe("Boards unused for 9 seconds are deleted.");
    expect(retentionText(0.5)).toBe("Boards unused for 12 hours are deleted.");
    expect(retentionText(1 / 24)).toBe("Boards unused for 1 hour are deleted.");
    expect(retentionText(0.01)).toBe("Boards unused for 14.4 minutes are deleted.");
  });
});

describe("describeDays", () => {
  it("keeps at most one decimal, and never says 0", () => {
    expect(describeDays(1.5)).toBe("1.5 days");
    expect(describeDays(2 / 24 + 0.4 / 24)).toBe("2.4 hours");
    expect(describeDays(1 / 86_400)).toBe("1 second");
    expect(describeDays(0.000001)).toBe("1 second");
    expect(describeDays(30.04)).toBe("30 days");
  });
});

describe("readRetentionDays", () => {
  it("reads the page's attribute: a number of days from 0, or nothing", () => {
    expect(readRetentionDays("30")).toBe(30);
    expect(readRetentionDays("0.0001")).toBe(0.0001);
    expect(readRetentionDays("0")).toBe(0);
    expect(readRetentionDays("")).toBeUndefined();
    expect(readRetentionDays(undefined)).toBeUndefined();
    expect(readRetentionDays("soon")).toBeUndefined();
    expect(readRetentionDays("-3")).toBeUndefined();
  });
});
