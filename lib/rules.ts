/**
 * The numbers and patterns every part of circles agrees on. No imports, so
 * the browser bundle can share them with the server.
 */

/** The logical board: every client scales it to fit, so all see one picture.
 * 1920×1080 is where the lesson's raw pixel coordinates land naturally. */
export const BOARD_WIDTH = 1920;
export const BOARD_HEIGHT = 1080;

export const MIN_DIAMETER = 1;
export const MAX_DIAMETER = 500;

/** Two or three letters or digits: short enough to fit inside a circle. */
export const INITIALS_PATTERN = /^[A-Za-z0-9]{2,3}$/;

/** Board names appear in URLs and storage keys, so they stay plain. */
export const BOARD_NAME_PATTERN = /^[a-z0-9_-]{1,40}$/;

/** Where `/` and lesson clients that name no board land. */
export const DEFAULT_BOARD = "default";

/** Colours as the lesson sends them: `rgba(r, g, b, a)`, `rgb(r, g, b)` or hex. */
export const COLOUR_PATTERN =
  /^(?:rgba\(\s*\d{1,3}(?:\.\d+)?\s*,\s*\d{1,3}(?:\.\d+)?\s*,\s*\d{1,3}(?:\.\d+)?\s*,\s*(?:0|1|0?\.\d+|1\.0+)\s*\)|rgb\(\s*\d{1,3}(?:\.\d+)?\s*,\s*\d{1,3}(?:\.\d+)?\s*,\s*\d{1,3}(?:\.\d+)?\s*\)|#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8}))$/;

/** Longest colour string accepted; real ones are far shorter. */
export const MAX_COLOUR_LENGTH = 64;
