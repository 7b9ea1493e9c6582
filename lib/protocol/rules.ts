/**
 * The numbers and patterns every part of circles agrees on. No imports, so
 * the browser bundle can share them with the server.
 */

/**
 * A client-made id: of a circle (`add-circle`'s `id`) or of any other write
 * (`op`), and REST's `Idempotency-Key`. A UUID fits.
 */
export const OPERATION_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

/**
 * How long the server remembers the id of a write other than an add, so that
 * a retry changes nothing: a week, far longer than any page waits before
 * giving up on a write. A circle's id is remembered as long as its board.
 */
export const OPERATION_MEMORY_MS = 7 * 24 * 60 * 60 * 1000;

/** The refusals (`code`, see `ErrorCode` in `events.ts`) that mean "not now": the same request may succeed later. */
export const RETRY_LATER_CODES: readonly string[] = ["rate-limited", "unavailable"];

/** The logical board: every client scales it to fit, so all see one picture.
 * 1920×1080 is where the lesson's raw pixel coordinates land naturally. */
export const BOARD_WIDTH = 1920;
export const BOARD_HEIGHT = 1080;

export const MIN_DIAMETER = 1;
export const MAX_DIAMETER = 500;

/**
 * Initials: two or three letters or digits of any script (`AB`, `ÅB`, `李明`),
 * short enough to fit inside a circle. Each is one letter (\p{L}) or decimal
 * digit (\p{Nd}) with at most three combining marks on it (accents, vowel
 * signs), counted in code points after NFC rather than in Intl.Segmenter
 * graphemes: grapheme rules change with ICU versions, and the server and
 * every browser must count alike. Default-ignorable code points (joiners,
 * variation selectors, Hangul fillers) draw nothing, so they are refused even
 * where Unicode files them as letters or marks; so are spaces, controls,
 * symbols (emoji too) and other numbers (①, ½, Ⅻ).
 */
export const INITIALS_PATTERN = /^(?:(?!\p{DI})[\p{L}\p{Nd}](?:(?!\p{DI})[\p{Mn}\p{Mc}]){0,3}){2,3}$/u;

/** The longest initials the pattern allows in UTF-16 units (astral letters and marks take two). */
export const MAX_INITIALS_LENGTH = 3 * (2 + 3 * 2);

export const INITIALS_ERROR = "initials must be 2–3 letters or digits";
export const INITIALS_INVISIBLE_ERROR = "initials must be 2–3 letters or digits, with no spaces or invisible characters";
const UNSEEN = /[\p{C}\p{Z}\p{DI}]/u;

export type InitialsCheck = { ok: true; initials: string } | { ok: false; error: string };

/**
 * The initials everyone sees for `raw`: NFC, upper-cased where the script has
 * case, then checked against INITIALS_PATTERN. The check comes after
 * upper-casing so that what is stored always matches (`ß` becomes `SS`, two).
 */
export function checkInitials(raw: string): InitialsCheck {
  if (raw.length > MAX_INITIALS_LENGTH) return { ok: false, error: INITIALS_ERROR };
  const initials = raw.normalize("NFC").toUpperCase().normalize("NFC");
  if (INITIALS_PATTERN.test(initials)) return { ok: true, initials };
  // Said apart because the player cannot see what is wrong.
  return { ok: false, error: UNSEEN.test(initials) ? INITIALS_INVISIBLE_ERROR : INITIALS_ERROR };
}

/**
 * Board names appear in URLs and storage keys, so they stay plain. They are
 * case-insensitive, to be read out and typed: the schemas lower-case every
 * name that comes in, so this pattern (and everything inside) sees lowercase.
 */
export const BOARD_NAME_PATTERN = /^[a-z0-9_-]{1,40}$/;

/** Where `/` and lesson clients that name no board land. */
export const DEFAULT_BOARD = "default";

/** The path of a board's page. */
export function boardPath(board: string): string {
  return board === DEFAULT_BOARD ? "/" : `/b/${encodeURIComponent(board)}`;
}

/** Colours as the lesson sends them: `rgba(r, g, b, a)`, `rgb(r, g, b)` or hex. */
export const COLOUR_PATTERN =
  /^(?:rgba\(\s*\d{1,3}(?:\.\d+)?\s*,\s*\d{1,3}(?:\.\d+)?\s*,\s*\d{1,3}(?:\.\d+)?\s*,\s*(?:0|1|0?\.\d+|1\.0+)\s*\)|rgb\(\s*\d{1,3}(?:\.\d+)?\s*,\s*\d{1,3}(?:\.\d+)?\s*,\s*\d{1,3}(?:\.\d+)?\s*\)|#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8}))$/;

/** Longest colour string accepted; real ones are far shorter. */
export const MAX_COLOUR_LENGTH = 64;
