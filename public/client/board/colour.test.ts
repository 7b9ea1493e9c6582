import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { COLOUR_PATTERN } from "../../../lib/protocol/rules.js";
import { labelColourFor, parseColour, randomColour, type Rgba } from "./colour.js";

const DARK = "#111827";
const LIGHT = "#ffffff";
const WHITE: Rgba = { r: 255, g: 255, b: 255, a: 1 };

/** WCAG 2 contrast ratio between two opaque colours, written out independently of colour.ts. */
function contrastRatio(one: Rgba, two: Rgba): number {
  const lum = ({ r, g, b }: Rgba) => {
    const lin = (v: number) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4);
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const [hi, lo] = [lum(one), lum(two)].sort((a, b) => b - a) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

function hexToRgba(hex: string): Rgba {
  const colour = parseColour(hex);
  if (!colour) throw new Error(`not a colour: ${hex}`);
  return colour;
}

/** A sequence of "random" numbers, repeated. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length]!;
}

describe("parseColour", () => {
  it.each<[string, Rgba]>([
    ["rgba(10, 20, 30, 0.5)", { r: 10, g: 20, b: 30, a: 0.5 }],
    ["rgba(10,20,30,.25)", { r: 10, g: 20, b: 30, a: 0.25 }],
    ["  RGBA( 1 , 2 , 3 , 1 )  ", { r: 1, g: 2, b: 3, a: 1 }],
    ["rgb(255, 128, 0)", { r: 255, g: 128, b: 0, a: 1 }],
    ["rgb(12.5, 0, 0)", { r: 12.5, g: 0, b: 0, a: 1 }],
    ["#f80", { r: 255, g: 136, b: 0, a: 1 }],
    ["#f808", { r: 255, g: 136, b: 0, a: 136 / 255 }],
    ["#FF8800", { r: 255, g: 136, b: 0, a: 1 }],
    ["#ff880000", { r: 255, g: 136, b: 0, a: 0 }],
  ])("reads %s", (text, expected) => {
    expect(parseColour(text)).toEqual(expected);
  });

  it("clamps channels to 0–255 and alpha to 0–1", () => {
    expect(parseColour("rgba(300, 999, 256, 7)")).toEqual({ r: 255, g: 255, b: 255, a: 1 });
  });

  it.each([
    "",
    "red",
    "transparent",
    "rgba(1, 2)",
    "rgba(1, 2, 3, 4, 5)",
    "rgb(-1, 2, 3)",
    "rgb(1..2, 2, 3)",
    "hsl(120, 50%, 50%)",
    "#12",
    "#12345",
    "#ggg",
    "rgb(1, 2, 3",
  ])("refuses %j", (text) => {
    expect(parseColour(text)).toBeNull();
  });

  it("reads every colour the server accepts", () => {
    const channel = fc.oneof(
      fc.integer({ min: 0, max: 999 }).map(String),
      fc.tuple(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 99 })).map(([a, b]) => `${a}.${b}`),
    );
    const alpha = fc.oneof(
      fc.constantFrom("0", "1", "1.0", "1.00"),
      fc.integer({ min: 0, max: 9999 }).map((n) => `0.${n}`),
    );
    const space = fc.constantFrom("", " ", "  ");
    const hex = (length: number) => fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEF"), minLength: length, maxLength: length });
    const accepted = fc.oneof(
      fc.tuple(channel, channel, channel, alpha, space).map(([r, g, b, a, s]) => `rgba(${s}${r}${s},${s}${g}${s},${s}${b}${s},${s}${a}${s})`),
      fc.tuple(channel, channel, channel, space).map(([r, g, b, s]) => `rgb(${r},${s}${g},${s}${b})`),
      fc
        .constantFrom(3, 4, 6, 8)
        .chain(hex)
        .map((digits) => `#${digits}`),
    );
    fc.assert(
      fc.property(accepted, (text) => {
        expect(text).toMatch(COLOUR_PATTERN);
        const colour = parseColour(text);
        expect(colour).not.toBeNull();
        for (const channelValue of [colour!.r, colour!.g, colour!.b]) expect(channelValue).toBeGreaterThanOrEqual(0);
        for (const channelValue of [colour!.r, colour!.g, colour!.b]) expect(channelValue).toBeLessThanOrEqual(255);
        expect(colour!.a).toBeGreaterThanOrEqual(0);
        expect(colour!.a).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe("randomColour", () => {
  it("makes an rgba() colour the server accepts and the client reads back", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 4, maxLength: 4 }), (values) => {
        const text = randomColour(sequence(...values));
        expect(text).toMatch(/^rgba\(\d{1,3}, \d{1,3}, \d{1,3}, (?:0|1|0?\.\d+)\)$/);
        expect(text).toMatch(COLOUR_PATTERN);
        const colour = parseColour(text)!;
        expect(colour.a).toBeGreaterThanOrEqual(0.72);
        expect(colour.a).toBeLessThanOrEqual(0.95);
      }),
    );
  });

  it("is neither washed out nor muddy: never near-white, near-black or grey", () => {
    for (const values of [
      [0, 0, 0, 0],
      [0.999, 0.999, 0.999, 0.999],
      [0.5, 0, 0, 0],
      [0.25, 0.999, 0, 0.5],
    ]) {
      const { r, g, b } = parseColour(randomColour(sequence(...values)))!;
      expect(Math.max(r, g, b) - Math.min(r, g, b), `spread of ${r},${g},${b}`).toBeGreaterThan(60);
      expect(Math.max(r, g, b)).toBeGreaterThan(150);
    }
  });

  it("follows the random source it is given", () => {
    const values = [0.1, 0.2, 0.3, 0.4];
    expect(randomColour(sequence(...values))).toBe(randomColour(sequence(...values)));
    expect(randomColour(sequence(0, 0.5, 0.5, 0.5))).toBe("rgba(225, 47, 47, 0.84)");
  });
});

describe("labelColourFor", () => {
  it("is dark when the fill is unknown", () => {
    expect(labelColourFor(null, WHITE)).toBe(DARK);
  });

  it.each<[string, string]>([
    ["#ffffff", DARK],
    ["#ffff00", DARK],
    ["#7dd3fc", DARK],
    ["#000000", LIGHT],
    ["#1e3a8a", LIGHT],
    ["#b91c1c", LIGHT],
    // Nearly transparent: what shows is the white board.
    ["rgba(0, 0, 0, 0.05)", DARK],
  ])("puts a readable label on %s", (fill, expected) => {
    expect(labelColourFor(parseColour(fill), WHITE)).toBe(expected);
  });

  it("blends the fill over the backdrop", () => {
    const halfBlack = parseColour("rgba(0, 0, 0, 0.5)");
    expect(labelColourFor(halfBlack, WHITE)).toBe(DARK);
    expect(labelColourFor(halfBlack, { r: 0, g: 0, b: 0, a: 1 })).toBe(LIGHT);
  });

  it("picks the label with the better contrast, at least 4:1, for any colour over the board", () => {
    const byte = fc.integer({ min: 0, max: 255 });
    fc.assert(
      fc.property(byte, byte, byte, fc.double({ min: 0, max: 1, noNaN: true }), (r, g, b, a) => {
        const fill: Rgba = { r, g, b, a };
        const seen: Rgba = { r: r * a + 255 * (1 - a), g: g * a + 255 * (1 - a), b: b * a + 255 * (1 - a), a: 1 };
        const chosen = labelColourFor(fill, WHITE);
        const other = chosen === DARK ? LIGHT : DARK;
        const chosenContrast = contrastRatio(seen, hexToRgba(chosen));
        expect(chosenContrast).toBeGreaterThanOrEqual(contrastRatio(seen, hexToRgba(other)) - 1e-9);
        expect(chosenContrast).toBeGreaterThanOrEqual(4);
      }),
    );
  });
});
