import { afterEach, describe, expect, it, vi } from "vitest";
import { parseInitials } from "../../../lib/protocol/schemas.js";
import { loadInitials, normaliseInitials, saveInitials } from "./initials.js";

describe("normaliseInitials", () => {
  it.each([
    ["ab", "AB"],
    ["  jd2 ", "JD2"],
    ["Ez9", "EZ9"],
    ["42", "42"],
    ["é1", "É1"],
    ["a\u030Ab", "ÅB"],
    [" 李明", "李明"],
    ["김민준", "김민준"],
    ["δψ", "ΔΨ"],
  ])("accepts %j as %j, as the server does", (typed, expected) => {
    expect(normaliseInitials(typed)).toBe(expected);
    expect(parseInitials(typed.trim())).toEqual({ ok: true, value: expected });
  });

  it.each(["", "a", "abcd", "a b", "<b>", "A-B", "A\u0000B", "A\u200dB", "\u202eAB", "😀😀", "李明王五"])(
    "refuses %j, as the server does",
    (typed) => {
      expect(normaliseInitials(typed)).toBeNull();
      expect(parseInitials(typed.trim()).ok).toBe(false);
    },
  );
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
