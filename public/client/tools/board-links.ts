/** Boards as places you can share: a fresh unguessable board, and this board's link on the clipboard. */
import { BOARD_NAME_PATTERN, DEFAULT_BOARD } from "../../../lib/protocol/rules.js";

export { boardPath } from "../../../lib/protocol/rules.js";

/**
 * Letters that cannot be misread off a projector or misheard when said:
 * no l (1, I), o (0), g or q (9), c (k or s), and none of h, w, x, y.
 */
export const NAME_CONSONANTS = "bdfjkmnprstvz";
export const NAME_VOWELS = "aeiu";
/** Consonant, vowel, consonant, vowel, consonant: two syllables, like "bakum". */
const WORD_SHAPE = [NAME_CONSONANTS, NAME_VOWELS, NAME_CONSONANTS, NAME_VOWELS, NAME_CONSONANTS];
const WORDS = 3;

/** How many names randomBoardName makes, all equally likely: (13³·4²)³, about 2^45, far too many to guess one. */
export const RANDOM_BOARD_NAMES = WORD_SHAPE.reduce((count, letters) => count * letters.length, 1) ** WORDS;

/** One of `letters`, from crypto.getRandomValues, without modulo bias. */
function randomLetter(letters: string): string {
  // Bytes at or above this would favour the first letters.
  const limit = 256 - (256 % letters.length);
  for (;;) {
    const [byte = limit] = crypto.getRandomValues(new Uint8Array(1));
    if (byte < limit) return letters.charAt(byte % letters.length);
  }
}

/** A fresh board name people can read out and type, like "bakum-tesip-ridaz". */
export function randomBoardName(): string {
  return Array.from({ length: WORDS }, () => WORD_SHAPE.map(randomLetter).join("")).join("-");
}

/** The board this page shows, from `<body data-board>`; the default board when absent or odd. */
export function readBoardName(body: HTMLElement): string {
  const board = body.dataset.board ?? "";
  return BOARD_NAME_PATTERN.test(board) ? board : DEFAULT_BOARD;
}

export type CopyResult = "copied" | "manual";

/**
 * Put `text` on the clipboard. When the Clipboard API is missing or refuses
 * (insecure origin, no permission), show it in a read-only field, selected,
 * for the player to copy themselves.
 */
export async function copyText(text: string, fallbackField: HTMLInputElement, fallbackBox: HTMLElement): Promise<CopyResult> {
  try {
    if (!navigator.clipboard) throw new Error("no clipboard");
    await navigator.clipboard.writeText(text);
    fallbackBox.hidden = true;
    return "copied";
  } catch {
    fallbackField.value = text;
    fallbackBox.hidden = false;
    fallbackField.focus();
    fallbackField.select();
    return "manual";
  }
}
