/** Builds the circle a click asks for: where it was, a random size and colour. */
import type { CircleInput } from "../../../lib/protocol/events.js";
import { BOARD_HEIGHT, BOARD_WIDTH, MAX_DIAMETER, MIN_DIAMETER } from "../../../lib/protocol/rules.js";
import { randomColour } from "./colour.js";

const SMALLEST = Math.max(MIN_DIAMETER, 20);
const LARGEST = Math.min(MAX_DIAMETER, 120);

const clamp = (n: number, min: number, max: number) => Math.min(max, Math.max(min, n));
const tenth = (n: number) => Math.round(n * 10) / 10;

function randomDiameter(random: () => number = Math.random): number {
  return Math.round(SMALLEST + random() * (LARGEST - SMALLEST));
}

/** A circle at logical board coordinates (clamped onto the board). */
export function makeCircle(initials: string, x: number, y: number, random: () => number = Math.random): CircleInput {
  return {
    initials,
    x: tenth(clamp(x, 0, BOARD_WIDTH)),
    y: tenth(clamp(y, 0, BOARD_HEIGHT)),
    dia: randomDiameter(random),
    rgba: randomColour(random),
  };
}
