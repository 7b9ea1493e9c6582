import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BOARD_HEIGHT, BOARD_WIDTH } from "../../../lib/protocol/rules.js";
import { parseCircleInput } from "../../../lib/protocol/schemas.js";
import { makeCircle } from "./circle-factory.js";

const unit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

/** Always the same "random" number. */
const always = (value: number) => () => value;

describe("makeCircle", () => {
  it("puts the circle where it was asked for, with the player's initials", () => {
    const circle = makeCircle("AB", 480.26, 540.04, always(0.5));
    expect(circle).toMatchObject({ initials: "AB", x: 480.3, y: 540 });
  });

  it("clamps a point off the board onto its edge", () => {
    expect(makeCircle("AB", -5, -0.1, always(0.5))).toMatchObject({ x: 0, y: 0 });
    expect(makeCircle("AB", BOARD_WIDTH + 30, BOARD_HEIGHT + 1, always(0.5))).toMatchObject({ x: BOARD_WIDTH, y: BOARD_HEIGHT });
  });

  it("makes a whole diameter from 20 to 120", () => {
    expect(makeCircle("AB", 1, 1, always(0)).dia).toBe(20);
    expect(makeCircle("AB", 1, 1, always(0.5)).dia).toBe(70);
    expect(makeCircle("AB", 1, 1, always(0.999_999)).dia).toBe(120);
    fc.assert(
      fc.property(unit, (value) => {
        const { dia } = makeCircle("AB", 1, 1, always(value));
        expect(Number.isInteger(dia)).toBe(true);
        expect(dia).toBeGreaterThanOrEqual(20);
        expect(dia).toBeLessThanOrEqual(120);
      }),
    );
  });

  it("uses Math.random by default", () => {
    const sizes = new Set(Array.from({ length: 200 }, () => makeCircle("AB", 1, 1).dia));
    expect(sizes.size).toBeGreaterThan(10);
    for (const dia of sizes) expect(dia).toBeGreaterThanOrEqual(20);
    for (const dia of sizes) expect(dia).toBeLessThanOrEqual(120);
  });

  it("always makes a circle the server accepts, wherever the click and whatever the dice", () => {
    const coordinate = fc.double({ min: -1e6, max: 1e6, noNaN: true });
    const initials = fc.stringMatching(/^[A-Z0-9]{2,3}$/);
    fc.assert(
      fc.property(initials, coordinate, coordinate, fc.array(unit, { minLength: 1, maxLength: 6 }), (who, x, y, dice) => {
        let i = 0;
        const circle = makeCircle(who, x, y, () => dice[i++ % dice.length]!);
        const parsed = parseCircleInput(circle);
        expect(parsed, JSON.stringify(circle)).toEqual({ ok: true, value: circle });
      }),
    );
  });
});
