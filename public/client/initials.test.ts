import { afterEach, describe, expect, it, vi } from "vitest";
import { parseInitials } from "../../lib/schemas.js";
import { loadInitials, normaliseInitials, saveInitials } from "./initials.js";

describe("normaliseInitials", () => {
  it.each([
    ["ab", "AB"],
    ["  jd2 ", "JD2"],
    ["Ez9", "EZ9"],
    ["42", "42"],
  ])("accepts %j as %j", (typed, expected) => {
    expect(normaliseInitials(typed)).toBe(expected);
    expect(parseInitials(expected)).toEqual({ ok: true, value: expected });
  });

  it.each(["", "a", "abcd", "a b", "<b>", "é1", "A-B", "A\u0000B"])("refuses %j", (typed) => {
    expect(normaliseInitials(typed)).toBeNull();
  });
});

describe("remembering initials", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("keeps them in localStorage", () => {
    const stored = new Map<string, string>();
    vi.stubGlobal("localStorage", {
      getItem: (key: string) => stored.get(key) ?? null,
      setItem: (key: string, value: string) => void stored.set(key, value),
    });
    expect(loadInitials()).toBeNull();
    saveInitials("AB");
    expect([...stored.values()]).toEqual(["AB"]);
    expect(loadInitials()).toBe("AB");
  });

  it("does not trust what is stored: odd values are dropped, lowercase is upper-cased", () => {
    let value: string | null = "<script>";
    vi.stubGlobal("localStorage", { getItem: () => value });
    expect(loadInitials()).toBeNull();
    value = "xy";
    expect(loadInitials()).toBe("XY");
  });

  it("remembers them for the page when storage is blocked", () => {
    vi.stubGlobal("localStorage", {
      getItem: () => {
        throw new Error("SecurityError");
      },
      setItem: () => {
        throw new Error("QuotaExceededError");
      },
    });
    saveInitials("QQ");
    expect(loadInitials()).toBe("QQ");
  });
});
