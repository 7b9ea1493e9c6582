import type { BoardEvent, Circle } from "../events.js";

/** Refuse a bad cap before it reaches a batch, where it would fail every write queued with it. */
export function checkMaxCircles(maxCircles: number): RangeError | undefined {
  return Number.isInteger(maxCircles) && maxCircles >= 0
    ? undefined
    : new RangeError(`maxCircles must be a non-negative integer, got ${maxCircles}`);
}

/** A board as stored: its circles, oldest first, and the seq of the last change they reflect. */
export interface StoredBoard {
  seq: number;
  circles: Circle[];
}

/**
 * Durable storage of boards. Every method is per board and async, so that
 * an embedded database (SQLite, in a worker thread), a network database
 * (PostgreSQL) and plain memory fit alike.
 *
 * Every change a board accepts (an add, each circle the cap drops, a clear)
 * takes the board's next seq, starting from 1, assigned in the same
 * transaction as the write, so seqs are gapless and never reused, clears
 * included. A resolved promise means the write is durable: callers
 * acknowledge to clients only after it. Calls take effect, and their
 * promises settle, in the order they were made, loads included: a load sees
 * exactly the writes called before it.
 */
export interface BoardStore {
  /** The board's circles and seq; an unknown board has none and seq 0. */
  load(board: string): Promise<StoredBoard>;
  /**
   * Append a circle, then drop the board's oldest circles until at most
   * `maxCircles` remain. Resolves with the changes made, in seq order: the
   * add, then one remove per dropped circle, oldest first.
   */
  add(board: string, circle: Circle, maxCircles: number): Promise<BoardEvent[]>;
  /** Remove every circle of the board; resolves with the clear's change. */
  clear(board: string): Promise<BoardEvent & { type: "clear" }>;
  /** Resolves when the store can serve requests; rejects with the reason otherwise. */
  ping(): Promise<void>;
  /** Finish pending writes and release the store's resources. */
  close(): Promise<void>;
}
