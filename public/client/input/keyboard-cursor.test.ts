import { describe, expect, it } from "vitest";
import { BOARD_HEIGHT, BOARD_WIDTH } from "../../../lib/protocol/rules.js";
import { CURSOR_BIG_STEP, CURSOR_STEP, cursorStart, isPlaceKey, moveCursor } from "./keyboard-cursor.js";

describe("keyboard cursor", () => {
  it("starts in the middle of the board", () => {
    expect(cursorStart()).toEqual({ x: BOARD_WIDTH / 2, y: BOARD_HEIGHT / 2 });
  });

  it.each([
    ["ArrowLeft", { x: 960 - CURSOR_STEP, y: 540 }],
    ["ArrowRight", { x: 960 + CURSOR_STEP, y: 540 }],
    ["ArrowUp", { x: 960, y: 540 - CURSOR_STEP }],
    ["ArrowDown", { x: 960, y: 540 + CURSOR_STEP }],
  ])("%s moves one step", (key, expected) => {
    expect(moveCursor(cursorStart(), key, false)).toEqual(expected);
  });

  it("moves a bigger step with Shift", () => {
    expect(moveCursor(cursorStart(), "ArrowUp", true)).toEqual({ x: 960, y: 540 - CURSOR_BIG_STEP });
  });

  it("stops at every edge of the board", () => {
    expect(moveCursor({ x: 5, y: 5 }, "ArrowLeft", true)).toEqual({ x: 0, y: 5 });
    expect(moveCursor({ x: 5, y: 5 }, "ArrowUp", false)).toEqual({ x: 5, y: 0 });
    expect(moveCursor({ x: BOARD_WIDTH - 1, y: 0 }, "ArrowRight", true)).toEqual({ x: BOARD_WIDTH, y: 0 });
    expect(moveCursor({ x: 0, y: BOARD_HEIGHT }, "ArrowDown", false)).toEqual({ x: 0, y: BOARD_HEIGHT });
  });

  it("crosses the board from edge to edge in Shift steps", () => {
    let cursor = { x: 0, y: 0 };
    for (let i = 0; i < 30; i++) cursor = moveCursor(cursor, "ArrowRight", true) ?? cursor;
    expect(cursor.x).toBe(BOARD_WIDTH);
  });

  it("ignores other keys", () => {
    for (const key of ["a", "Tab", "Home", "Escape", "Enter"]) expect(moveCursor(cursorStart(), key, false)).toBeNull();
  });

  it("places with Enter or Space only", () => {
    expect(isPlaceKey("Enter")).toBe(true);
    expect(isPlaceKey(" ")).toBe(true);
    expect(isPlaceKey("Spacebar")).toBe(false);
    expect(isPlaceKey("a")).toBe(false);
  });
});
