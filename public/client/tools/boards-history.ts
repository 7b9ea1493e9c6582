/**
 * "Your boards": the boards this browser made or visited, newest first, kept
 * in localStorage (at most MAX_BOARDS, the oldest forgotten first). Plain:
 * the storage is handed in, so the list's rules are tested without a
 * browser. When storage is blocked the list lasts for this page.
 */
import { BOARD_NAME_PATTERN } from "../../../lib/protocol/rules.js";
import type { KeyStorage } from "../people/keys.js";

const STORAGE_KEY = "circles.boards";

/** Enough for a term of lessons; a longer list would be no easier to use. */
export const MAX_BOARDS = 50;

export interface VisitedBoard {
  board: string;
  /** When this browser last opened it, in ms since the epoch. */
  at: number;
}

/** The list as stored, or an empty one: whatever is in storage was written by any version of the page, or by hand. */
export function parseBoards(raw: string | null): VisitedBoard[] {
  if (raw === null) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  const seen = new Set<string>();
  const boards: VisitedBoard[] = [];
  for (const entry of parsed as unknown[]) {
    if (typeof entry !== "object" || entry === null) continue;
    const { board, at } = entry as Record<string, unknown>;
    if (typeof board !== "string" || !BOARD_NAME_PATTERN.test(board) || seen.has(board)) continue;
    seen.add(board);
    boards.push({ board, at: typeof at === "number" && Number.isFinite(at) ? at : 0 });
  }
  return boards.slice(0, MAX_BOARDS);
}

/** The list with `board` opened at `at`: first, and only once. */
export function withVisit(boards: readonly VisitedBoard[], board: string, at: number): VisitedBoard[] {
  return [{ board, at }, ...boards.filter((entry) => entry.board !== board)].slice(0, MAX_BOARDS);
}

export function withoutBoard(boards: readonly VisitedBoard[], board: string): VisitedBoard[] {
  return boards.filter((entry) => entry.board !== board);
}

export class BoardsHistory {
  readonly #storage: () => KeyStorage;
  /** What was kept this page, for when storage refuses. */
  #fallback: VisitedBoard[] = [];

  constructor(storage: () => KeyStorage = () => localStorage) {
    this.#storage = storage;
  }

  /** Newest first. */
  list(): VisitedBoard[] {
    try {
      const raw = this.#storage().getItem(STORAGE_KEY);
      return raw === null ? [...this.#fallback] : parseBoards(raw);
    } catch {
      return [...this.#fallback];
    }
  }

  /** This browser opened `board` now (or made it). */
  visit(board: string, at = Date.now()): void {
    if (BOARD_NAME_PATTERN.test(board)) this.#save(withVisit(this.list(), board, at));
  }

  /** Gone from the server, or from this browser's interest. */
  forget(board: string): void {
    this.#save(withoutBoard(this.list(), board));
  }

  #save(boards: VisitedBoard[]): void {
    this.#fallback = boards;
    try {
      this.#storage().setItem(STORAGE_KEY, JSON.stringify(boards));
    } catch {
      // storage blocked or full: kept until the page closes
    }
  }
}
