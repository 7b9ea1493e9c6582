/**
 * The camera over the board: where the 1920×1080 board sits in the stage once
 * zoomed and panned. Plain maths, no DOM (viewport-controller.ts applies it).
 * Screen points are CSS pixels from the top-left of the stage's padding box;
 * board points are logical board units.
 */
import { BOARD_HEIGHT, BOARD_WIDTH } from "../../../lib/protocol/rules.js";

export interface Point {
  x: number;
  y: number;
}

export interface Size {
  width: number;
  height: number;
}

/** `scale` CSS pixels per board unit, with the board's top-left corner at (`x`, `y`) on screen. */
export interface Camera {
  scale: number;
  x: number;
  y: number;
}

export interface ZoomRange {
  min: number;
  max: number;
}

/** Closest zoom: a board unit is 2 CSS pixels, so the smallest circle (20 units) is 40 px across. */
export const MAX_SCALE = 2;
/**
 * A board that fits but covers less than this share of the stage (a phone
 * held upright: a strip across a tall screen) starts zoomed to fill it.
 */
export const MIN_START_COVERAGE = 0.5;

const clamp = (n: number, min: number, max: number): number => Math.min(max, Math.max(min, n));

/** The scale at which the whole board fits in `size`. */
export function fitScale(size: Size): number {
  return Math.max(0, Math.min(size.width / BOARD_WIDTH, size.height / BOARD_HEIGHT));
}

/** The scale at which the board covers all of `size`, overflowing one way. */
export function coverScale(size: Size): number {
  return Math.max(0, Math.max(size.width / BOARD_WIDTH, size.height / BOARD_HEIGHT));
}

/** From the whole board in view (`fit`) to close up, and always far enough in to cover the stage. */
export function zoomRange(stage: Size, fit: number): ZoomRange {
  return { min: fit, max: Math.max(fit, coverScale(stage), MAX_SCALE) };
}

/** Keeps the scale in range and the board on screen: centred along an axis it does not fill, edge to edge along one it overflows. */
export function clampCamera(camera: Camera, stage: Size, range: ZoomRange): Camera {
  const scale = clamp(camera.scale, range.min, range.max);
  return {
    scale,
    x: clampAxis(camera.x, stage.width, scale * BOARD_WIDTH),
    y: clampAxis(camera.y, stage.height, scale * BOARD_HEIGHT),
  };
}

function clampAxis(offset: number, view: number, extent: number): number {
  if (extent <= view) return (view - extent) / 2;
  return clamp(offset, view - extent, 0);
}

/** The whole board centred, or, when that leaves most of the stage empty, zoomed to fill the stage. */
export function startCamera(stage: Size, fit: number): Camera {
  const area = stage.width * stage.height;
  const covered = area > 0 ? (fit * BOARD_WIDTH * fit * BOARD_HEIGHT) / area : 1;
  const scale = covered < MIN_START_COVERAGE ? coverScale(stage) : fit;
  const x = (stage.width - scale * BOARD_WIDTH) / 2;
  const y = (stage.height - scale * BOARD_HEIGHT) / 2;
  return clampCamera({ scale, x, y }, stage, zoomRange(stage, fit));
}

export function toBoard(camera: Camera, screen: Point): Point {
  return { x: (screen.x - camera.x) / camera.scale, y: (screen.y - camera.y) / camera.scale };
}

export function toScreen(camera: Camera, board: Point): Point {
  return { x: camera.x + board.x * camera.scale, y: camera.y + board.y * camera.scale };
}

/** Whether a board point is on the board (edges included). */
export function onBoard(point: Point): boolean {
  return point.x >= 0 && point.y >= 0 && point.x <= BOARD_WIDTH && point.y <= BOARD_HEIGHT;
}

/**
 * A pan and zoom from the fingers: what was under screen point `from` goes
 * under `to`, `ratio` times as large (1 for a plain drag). When the zoom hits
 * its limit the point under the fingers still follows them.
 */
export function moveCamera(camera: Camera, from: Point, to: Point, ratio: number, stage: Size, range: ZoomRange): Camera {
  const scale = clamp(camera.scale * (Number.isFinite(ratio) && ratio > 0 ? ratio : 1), range.min, range.max);
  const k = scale / camera.scale;
  return clampCamera({ scale, x: to.x - (from.x - camera.x) * k, y: to.y - (from.y - camera.y) * k }, stage, range);
}

/** Pans (never zooms) just enough to bring a board point at least `margin` px inside the stage. */
export function reveal(camera: Camera, point: Point, margin: number, stage: Size, range: ZoomRange): Camera {
  const at = toScreen(camera, point);
  const nudge = (p: number, view: number) => {
    const m = Math.min(margin, view / 2);
    if (p < m) return m - p;
    if (p > view - m) return view - m - p;
    return 0;
  };
  return clampCamera({ ...camera, x: camera.x + nudge(at.x, stage.width), y: camera.y + nudge(at.y, stage.height) }, stage, range);
}

/** After the stage changed size: the same zoom, with the board point that was in the middle still in the middle. */
export function recentre(camera: Camera, before: Size, after: Size, range: ZoomRange): Camera {
  const middle = toBoard(camera, { x: before.width / 2, y: before.height / 2 });
  const scale = clamp(camera.scale, range.min, range.max);
  return clampCamera({ scale, x: after.width / 2 - middle.x * scale, y: after.height / 2 - middle.y * scale }, after, range);
}
