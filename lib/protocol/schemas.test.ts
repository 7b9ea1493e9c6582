import { describe, expect, it } from "vitest";
import { MAX_INITIALS_LENGTH } from "./rules.js";
import {
  parseBoardName,
  parseBoardNotice,
  parseCircleInput,
  parseClaim,
  parseHandshake,
  parseHandshakeAuth,
  parseInitials,
  parsePlayerRef,
  parseRules,
} from "./schemas.js";

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

  it.each([
    "rgba(1, 2, 3, 0.5)",
    "rgba(255,255,255,1)",
    "rgba(0, 0, 0, 0)",
    "rgba(1,2,3,.5)",
    "rgb(1,2,3)",
    "rgb(10, 20, 30)",
    "#abc",
    "#aabbcc",
    "#aabbccdd",
    "#ABCDEF",
  ])("accepts the colour %s", (rgba) => {
    expect(parseCircleInput({ ...valid, rgba })).toEqual({ ok: true, value: { ...valid, rgba } });
  });

  it.each([
    ["ab1", "AB1"],
    ["XYZ", "XYZ"],
    ["12", "12"],
    ["ÅÉ", "ÅÉ"],
    ["李明", "李明"],
  ])("accepts the initials %s, as %s", (initials, normalised) => {
    expect(parseCircleInput({ ...valid, initials })).toEqual({ ok: true, value: { ...valid, initials: normalised } });
  });

  it("drops unknown fields instead of relaying them", () => {
    const result = parseCircleInput({ ...valid, createdAt: 1, owner: "x", html: "<script>", __proto__x: 1 });
    expect(result).toEqual({ ok: true, value: valid });
    if (!result.ok) return;
    expect(Object.keys(result.value).sort()).toEqual(["dia", "initials", "rgba", "x", "y"]);
  });

  it.each(["4b0c2f8e-3c1d-4e7a-9f61-0d2b8a7c5e11", "abcdefgh", "A".repeat(64), "tap_01-xyz"])("keeps the client's id %s", (id) => {
    expect(parseCircleInput({ ...valid, id })).toEqual({ ok: true, value: { ...valid, id } });
  });
});

describe("parseCircleInput: a client's id", () => {
  it.each([["forged"], ["A".repeat(65)], ["has space1"], ["dot.ted.id"], [42], [""]])("refuses the id %j, saying what one is", (id) => {
    expect(parseCircleInput({ ...valid, id })).toEqual({ ok: false, error: "id must be 8–64 letters, digits, '-' or '_' (a UUID fits)" });
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
    ["emoji", "😀😀"],
  ])("refuses initials that are %s", (_label, initials) => {
    expect(errorOf(parseCircleInput({ ...valid, initials }))).toBe("initials must be 2–3 letters or digits");
  });

  it.each([
    ["a space", "A B"],
    ["a zero-width joiner", "A\u200dB"],
  ])("refuses initials with %s, saying it cannot be seen", (_label, initials) => {
    expect(errorOf(parseCircleInput({ ...valid, initials }))).toBe("initials must be 2–3 letters or digits, with no spaces or invisible characters");
  });

  it.each([12, null, ["AB"]])("refuses non-string initials %j", (initials) => {
    expect(errorOf(parseCircleInput({ ...valid, initials }))).toBe("initials must be a string");
  });
});

describe("parseInitials", () => {
  it.each([
    ["AB", "AB"],
    ["ab1", "AB1"],
    ["Z9z", "Z9Z"],
  ])("accepts %s, upper-cased as %s", (initials, normalised) => {
    expect(parseInitials(initials)).toEqual({ ok: true, value: normalised });
  });

  it.each([
    ["Latin with accents", "åb", "ÅB"],
    ["Latin, decomposed (NFD)", "A\u030AB", "\u00C5B"],
    ["Vietnamese, two marks on one letter", "e\u0323\u0302n", "ỆN"],
    ["Polish", "łż", "ŁŻ"],
    ["Greek", "αβγ", "ΑΒΓ"],
    ["Cyrillic", "юя", "ЮЯ"],
    ["Chinese", "李明", "李明"],
    ["Japanese kana", "さとう", "さとう"],
    ["Japanese, with a long-vowel mark", "ルー", "ルー"],
    ["Korean", "김민", "김민"],
    ["Korean, as conjoining jamo (NFD)", "\u1100\u1175\u11B7\u1106\u1175\u11AB", "김민"],
    ["Arabic", "مح", "مح"],
    ["Hebrew with three marks on one letter, put in canonical order", "\u05E9\u05BC\u05C1\u05B8\u05DC", "\u05E9\u05B8\u05BC\u05C1\u05DC"],
    ["Devanagari with a virama and a vowel sign", "श्री", "श्री"],
    ["Thai with a vowel and a tone mark", "กี้ก", "กี้ก"],
    ["Arabic-Indic digits", "\u0663\u0664", "\u0663\u0664"],
    ["letters and digits of two scripts", "李7", "李7"],
    ["German ß, which upper-cases to SS", "ßa", "SSA"],
  ])("accepts %s: %j as %j", (_label, initials, normalised) => {
    expect(parseInitials(initials)).toEqual({ ok: true, value: normalised });
    // Normalised once and for all: what the server sends out parses to itself.
    expect(parseInitials(normalised)).toEqual({ ok: true, value: normalised });
  });

  it.each([
    ["a zero-width joiner", "A\u200dB"],
    ["a zero-width non-joiner", "A\u200cB"],
    ["a zero-width space", "AB\u200b"],
    ["a byte-order mark", "\ufeffAB"],
    ["a soft hyphen", "A\u00adB"],
    ["a right-to-left override", "\u202eAB"],
    ["a bidi isolate", "\u2066AB\u2069"],
    ["a left-to-right mark", "AB\u200e"],
    ["a tag character", "AB\u{E0041}"],
    ["a variation selector", "A\uFE0FB"],
    ["a combining grapheme joiner", "A\u034FB"],
    ["an emoji sequence joined by a ZWJ, one grapheme", "👩\u200d💻A"],
    ["Hangul fillers, letters that draw nothing", "\u3164\u3164"],
    ["a half-width Hangul filler", "A\uFFA0"],
    ["a NUL", "A\u0000B"],
    ["a tab", "A\tB"],
    ["a newline", "AB\n"],
    ["a no-break space", "A\u00a0B"],
    ["an ideographic space", "李\u3000明"],
    ["a private-use character", "A\uE000"],
    ["a lone surrogate", "\ud800B"],
  ])("refuses %s, saying so", (_label, initials) => {
    expect(errorOf(parseInitials(initials))).toBe("initials must be 2–3 letters or digits, with no spaces or invisible characters");
  });

  it.each([
    ["emoji", "😀😀"],
    ["a flag", "🇫🇷"],
    ["symbols", "©®"],
    ["punctuation", "A.B"],
    ["a keycap", "1\u20E3A"],
    ["circled numbers", "①②"],
    ["a fraction", "½A"],
    ["a Roman numeral character", "Ⅻ"],
    ["superscript digits", "A²"],
    ["a mark with no letter", "\u0301AB"],
    ["four marks on one letter", "X\u0301\u0301\u0301\u0301Y"],
    ["four letters", "ABCD"],
    ["four Chinese characters", "李明王五"],
    ["four letters once ß is SS", "ßAB"],
    ["one letter with marks", "e\u0323\u0302"],
  ])("refuses %s", (_label, initials) => {
    expect(errorOf(parseInitials(initials))).toBe("initials must be 2–3 letters or digits");
  });

  it("allows the longest initials the rule can make, and refuses anything longer unread", () => {
    // Three astral letters, each with three astral marks: 𑀓 (Brahmi KA) with Brahmi vowel signs.
    const longest = "\u{11013}\u{1103A}\u{1103B}\u{11001}".repeat(3);
    expect(longest).toHaveLength(MAX_INITIALS_LENGTH);
    expect(parseInitials(longest).ok).toBe(true);
    expect(errorOf(parseInitials(`${longest}A`))).toBe("initials must be 2–3 letters or digits");
    expect(errorOf(parseInitials("A".repeat(10_000)))).toBe("initials must be 2–3 letters or digits");
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

  it.each([
    ["Math101", "math101"],
    ["MATH101", "math101"],
    ["My-Board_2", "my-board_2"],
    ["DEFAULT", "default"],
    ["X".repeat(40), "x".repeat(40)],
  ])("accepts %j as the board %j: names are case-insensitive", (name, board) => {
    expect(parseBoardName(name)).toEqual({ ok: true, value: board });
  });

  it.each(["", "x".repeat(41), "X".repeat(41), "\u212A", "\u0130", "../x", "my board", "a/b", "a.b", " a", "a\n"])(
    "refuses %j, naming the board name",
    (name) => {
      expect(errorOf(parseBoardName(name))).toBe("board name must be 1–40 of a–z, 0–9, '-' and '_'");
    },
  );

  it.each([1, null, undefined, ["a"], { name: "a" }])("refuses the non-string %j", (name) => {
    expect(errorOf(parseBoardName(name))).toBe("board name must be a string");
  });
});

describe("parseHandshake", () => {
  it("lands a mixed-case board on its lowercase name", () => {
    expect(parseHandshake({ board: "Math101" })).toEqual({ ok: true, value: { board: "math101", protocol: 1 } });
    expect(parseHandshake({ board: "math101", protocol: "2" })).toEqual({ ok: true, value: { board: "math101", protocol: 2 } });
  });
});

describe("the host's payloads", () => {
  it.each([
    [{ draw: "host" }, { draw: "host" }],
    [{ chat: "everyone" }, { chat: "everyone" }],
    [
      { draw: "everyone", chat: "host" },
      { draw: "everyone", chat: "host" },
    ],
  ])("takes the rules %j", (input, expected) => {
    expect(parseRules(input)).toEqual({ ok: true, value: expected });
  });

  it.each([{}, { draw: "nobody" }, { draw: "HOST" }, { draw: "host", colour: "red" }, "host", null, undefined, [], 3])(
    "refuses the rules %j, saying why",
    (input) => {
      const parsed = parseRules(input);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.error).toMatch(/set-rules|everyone/);
    },
  );

  it.each([{ id: "abc12345" }, { id: "a-b_C" }])("takes the player %j", (input) => {
    expect(parsePlayerRef(input)).toEqual({ ok: true, value: input });
  });

  it.each([undefined, null, {}, { id: "" }, { id: 12 }, { id: "a b" }, { id: "x".repeat(21) }, "abc"])("refuses the player %j", (input) => {
    expect(parsePlayerRef(input).ok).toBe(false);
  });

  it("takes a claim of nothing, or of a host key, and refuses a key that is not one", () => {
    const hostKey = "k".repeat(22);
    expect(parseClaim(undefined)).toEqual({ ok: true, value: undefined });
    expect(parseClaim({ hostKey })).toEqual({ ok: true, value: { hostKey } });
    expect(parseClaim({ hostKey: "short" })).toEqual({ ok: false, error: "host key must be 22–128 letters, digits, '-' or '_'" });
    expect(parseClaim("key").ok).toBe(false);
  });

  it("takes an admin key in the handshake's auth, and refuses one that could not be", () => {
    expect(parseHandshakeAuth({ adminKey: "operator-admin-key-01" })).toEqual({ ok: true, value: { adminKey: "operator-admin-key-01" } });
    expect(parseHandshakeAuth({ adminKey: "has space" }).ok).toBe(false);
    expect(parseHandshakeAuth({ adminKey: 42 }).ok).toBe(false);
  });

  it("checks another node's room notices, and refuses a removal without a key hash", () => {
    const owner = "o".repeat(43);
    for (const notice of [
      { type: "rules", rules: { draw: "host", chat: "everyone" } },
      { type: "removed", player: { id: "abc", initials: "AB", owner } },
      { type: "readmitted", id: "abc" },
      { type: "deleted" },
      { type: "deleted", expired: true },
    ]) {
      expect(parseBoardNotice({ board: "b", notice }), JSON.stringify(notice)).toEqual({ ok: true, value: { board: "b", notice } });
    }
    expect(parseBoardNotice({ board: "b", notice: { type: "removed", player: { id: "abc", initials: "AB", owner: "short" } } }).ok).toBe(false);
    expect(parseBoardNotice({ board: "b", notice: { type: "rules", rules: { draw: "all", chat: "host" } } }).ok).toBe(false);
  });
});
