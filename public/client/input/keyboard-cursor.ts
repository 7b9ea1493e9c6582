/**
 * The keyboard's place on the board: a point that arrow keys move (Shift for
 * bigger steps) and Enter or Space drops a circle at. Plain: keyboard-controls.ts
 * draws it and listens for the keys.
 */
import { BOARD_HEIGHT, BOARD_WIDTH } from "../../../lib/protocol/rules.js";
import type { Point } from "./viewport.js";

/** Board units per arrow press: a small circle's width. */
export const CURSOR_STEP = 20;
/** With Shift: five steps, to cross the board in about twenty presses. */
export const CURSOR_BIG_STEP = 100;

const DIRECTIONS: Readonly<Record<string, readonly [number, number]>> = {
  ArrowLeft: [-1, 0],
  ArrowRight: [1, 0],
  ArrowUp: [0, -1],
  ArrowDown: [0, 1],
};

export function cursorStart(): Point {
  return { x: BOARD_WIDTH / 2, y: BOARD_HEIGHT / 2 };
}

/** Where `key` takes the cursor, kept on the board; null for a key that does not move it. */
export function moveCursor(cursor: Point, key: string, shift: boolean): Point | null {
  const direction = DIRECTIONS[key];
  if (!direction) return null;
  const step = shift ? CURSOR_BIG_STEP : CURSOR_STEP;
  return {
    x: Math.min(BOARD_WIDTH, Math.max(0, cursor.x + direction[0] * step)),
    y: Math.min(BOARD_HEIGHT, Math.max(0, cursor.y + direction[1] * step)),
  };
}

/** Whether `key` drops a circle at the cursor. */
export function isPlaceKey(key: string): boolean {
  return key === "Enter" || key === " ";
}
