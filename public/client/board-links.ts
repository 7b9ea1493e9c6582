/** Boards as places you can share: a fresh unguessable board, and this board's link on the clipboard. */
import { BOARD_NAME_PATTERN, DEFAULT_BOARD } from "../../lib/rules.js";

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
/** 20 characters of 36 is about 103 bits: nobody stumbles onto your board. */
const RANDOM_BOARD_LENGTH = 20;

/** A random board name from crypto.getRandomValues, without modulo bias. */
export function randomBoardName(length = RANDOM_BOARD_LENGTH): string {
  const limit = 256 - (256 % ALPHABET.length); // bytes at or above this would favour the first letters
  let name = "";
  const bytes = new Uint8Array(length * 2);
  while (name.length < length) {
    crypto.getRandomValues(bytes);
    for (const byte of bytes) {
      if (byte < limit) name += ALPHABET[byte % ALPHABET.length];
      if (name.length === length) break;
    }
  }
  return name;
}

export function boardPath(board: string): string {
  return board === DEFAULT_BOARD ? "/" : `/b/${encodeURIComponent(board)}`;
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
