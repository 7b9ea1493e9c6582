import { describe, expect, it } from "vitest";
import { parseBoardName, parseCircleInput, parseInitials } from "./schemas.js";

const valid = { initials: "AB", x: 100, y: 200, dia: 30, rgba: "rgba(1, 2, 3, 0.5)" };

/** The error of a parse that must fail; fails the test when it succeeded. */
function errorOf(result: { ok: true } | { ok: false; error: string }): string {
  if (result.ok) throw new Error("expected the input to be refused");
  return result.error;
}

describe("parseCircleInput: accepted circles", () => {
  it("returns the circle's five fields unchanged", () => {
    expect(parseCircleInput(valid)).toEqual({ ok: true, value: valid });
  });

  it.each([
    ["integers", { x: 10, y: 20, dia: 30 }],
    ["decimals", { x: 10.25, y: 20.5, dia: 30.75 }],
    ["the top-left corner", { x: 0, y: 0 }],
    ["the bottom-right corner", { x: 1920, y: 1080 }],
    ["the smallest diameter", { dia: 1 }],
    ["the largest diameter", { dia: 500 }],
  ])("accepts %s", (_label, fields) => {
    const input = { ...valid, ...fields };
    expect(parseCircleInput(input)).toEqual({ ok: true, value: input });
  });

  it.each(["rgba(1, 2, 3, 0.5)", "rgba(255,255,255,1)", "rgba(0, 0, 0, 0)", "rgba(1,2,3,.5)", "rgb(1,2,3)", "rgb(10, 20, 30)", "#abc", "#aabbcc", "#aabbccdd", "#ABCDEF"])(
    "accepts the colour %s",
    (rgba) => {
      expect(parseCircleInput({ ...valid, rgba })).toEqual({ ok: true, value: { ...valid, rgba } });
    },
  );

  it.each(["ab1", "XYZ", "12"])("accepts the initials %s", (initials) => {
    expect(parseCircleInput({ ...valid, initials })).toEqual({ ok: true, value: { ...valid, initials } });
  });

  it("drops unknown fields instead of relaying them", () => {
    const result = parseCircleInput({ ...valid, id: "forged", createdAt: 1, html: "<script>", __proto__x: 1 });
    expect(result).toEqual({ ok: true, value: valid });
    if (!result.ok) return;
    expect(Object.keys(result.value).sort()).toEqual(["dia", "initials", "rgba", "x", "y"]);
  });
});

describe("parseCircleInput: refused input", () => {
  it.each([
    ["a string", "circle"],
    ["a number", 42],
    ["undefined", undefined],
    ["null", null],
    ["an array", [valid]],
    ["a boolean", true],
  ])("refuses %s as the payload", (_label, payload) => {
    expect(errorOf(parseCircleInput(payload))).toBe("a circle must be an object of {initials, x, y, dia, rgba}");
  });

  it.each(["x", "y", "dia"] as const)("refuses wrong types for %s, naming it", (field) => {
    for (const bad of ["100", null, [100], {}, true, NaN, Infinity, -Infinity]) {
      expect(errorOf(parseCircleInput({ ...valid, [field]: bad })), `${field} = ${String(bad)}`).toMatch(
        new RegExp(`^${field} must be a (finite )?number$`),
      );
    }
  });

  it.each(["initials", "x", "y", "dia", "rgba"] as const)("refuses a circle missing %s, naming it", (field) => {
    const input: Record<string, unknown> = { ...valid };
    delete input[field];
    expect(errorOf(parseCircleInput(input))).toMatch(new RegExp(`^${field} must be a`));
  });

  it.each([
    ["x", -1, "x must be between 0 and 1920"],
    ["x", -0.001, "x must be between 0 and 1920"],
    ["x", 1920.5, "x must be between 0 and 1920"],
    ["x", 1e9, "x must be between 0 and 1920"],
    ["y", -1, "y must be between 0 and 1080"],
    ["y", 1080.01, "y must be between 0 and 1080"],
    ["dia", 0, "dia must be between 1 and 500"],
    ["dia", 0.5, "dia must be between 1 and 500"],
    ["dia", -10, "dia must be between 1 and 500"],
    ["dia", 500.1, "dia must be between 1 and 500"],
  ])("refuses %s = %d as out of range", (field, value, message) => {
    expect(errorOf(parseCircleInput({ ...valid, [field]: value }))).toBe(message);
  });

  it.each([
    "red",
    "javascript:alert(1)",
    "rgba(1,2,3)",
    "rgba()",
    "rgba(1, 2, 3, 0.5",
    "rgba(1, 2, 3, 2)",
    "rgba(1, 2, 3, 0.5); background: url(x)",
    "rgb(1,2)",
    "url(javascript:alert(1))",
    "#ab",
    "#abcde",
    "#gggggg",
    "expression(alert(1))",
    " #abc",
    "",
  ])("refuses the colour %j", (rgba) => {
    expect(errorOf(parseCircleInput({ ...valid, rgba }))).toBe("rgba must be a CSS rgba(), rgb() or hex colour");
  });

  it.each([123, null, ["#abc"], { r: 1 }])("refuses a non-string colour %j", (rgba) => {
    expect(errorOf(parseCircleInput({ ...valid, rgba }))).toBe("rgba must be a string");
  });

  it("refuses a 10,000-character colour as too long", () => {
    expect(errorOf(parseCircleInput({ ...valid, rgba: `#${"a".repeat(9_999)}` }))).toBe("rgba is too long");
    expect(errorOf(parseCircleInput({ ...valid, rgba: "rgba(1, 2, 3, 0.5)".padEnd(10_000, " ") }))).toBe("rgba is too long");
  });

  it.each([
    ["a 10,000-character string", "A".repeat(10_000)],
    ["markup <b>", "<b>"],
    ["a quote", 'a"b'],
    ["a script tag", "<script>"],
    ["one character", "x"],
    ["four characters", "ABCD"],
    ["an empty string", ""],
    ["a space", "A B"],
    ["non-ASCII letters", "ÅÉ"],
  ])("refuses initials that are %s", (_label, initials) => {
    expect(errorOf(parseCircleInput({ ...valid, initials }))).toBe("initials must be 2–3 letters or digits");
  });

  it.each([12, null, ["AB"]])("refuses non-string initials %j", (initials) => {
    expect(errorOf(parseCircleInput({ ...valid, initials }))).toBe("initials must be a string");
  });
});

describe("parseInitials", () => {
  it.each(["AB", "ab1", "Z9z"])("accepts %s", (initials) => {
    expect(parseInitials(initials)).toEqual({ ok: true, value: initials });
  });

  it.each(["x", "ABCD", "", "<b>", "A-B"])("refuses %j, naming initials", (initials) => {
    expect(errorOf(parseInitials(initials))).toBe("initials must be 2–3 letters or digits");
  });

  it.each([12, undefined, null, { initials: "AB" }])("refuses the non-string %j", (initials) => {
    expect(errorOf(parseInitials(initials))).toBe("initials must be a string");
  });
});

describe("parseBoardName", () => {
  it.each(["a", "my-board_1", "default", "x".repeat(40), "0"])("accepts %j", (name) => {
    expect(parseBoardName(name)).toEqual({ ok: true, value: name });
  });

  it.each(["", "x".repeat(41), "Board", "../x", "my board", "a/b", "a.b", " a", "a\n"])("refuses %j, naming the board name", (name) => {
    expect(errorOf(parseBoardName(name))).toBe("board name must be 1–40 of a–z, 0–9, '-' and '_'");
  });

  it.each([1, null, undefined, ["a"], { name: "a" }])("refuses the non-string %j", (name) => {
    expect(errorOf(parseBoardName(name))).toBe("board name must be a string");
  });
});
