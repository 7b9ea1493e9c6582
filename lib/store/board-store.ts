import type { Circle } from "../events.js";

/** Refuse a bad cap before it reaches a batch, where it would fail every write queued with it. */
export function checkMaxCircles(maxCircles: number): RangeError | undefined {
  return Number.isInteger(maxCircles) && maxCircles >= 0
    ? undefined
    : new RangeError(`maxCircles must be a non-negative integer, got ${maxCircles}`);
}

/**
 * Durable storage of boards. Every method is per board and async, so that
 * an embedded database, a network store (Redis, over one pipelined
 * connection) and plain memory fit alike.
 *
 * A resolved promise means the write is durable: callers acknowledge to
 * clients only after it. Calls take effect, and their promises settle, in
 * the order they were made, loads included: a load sees exactly the writes
 * called before it. The socket layer relies on this to send a joining
 * socket its snapshot with no live event lost or repeated around it.
 */
export interface BoardStore {
  /** The board's circles, oldest first; an unknown board has none. */
  load(board: string): Promise<Circle[]>;
  /**
   * Append a circle, then drop the board's oldest circles until at most
   * `maxCircles` remain. Resolves with the ids dropped, oldest first.
   */
  add(board: string, circle: Circle, maxCircles: number): Promise<string[]>;
  /** Remove every circle of the board. */
  clear(board: string): Promise<void>;
  /** Resolves when the store can serve requests; rejects with the reason otherwise. */
  ping(): Promise<void>;
  /** Finish pending writes and release the store's resources. */
  close(): Promise<void>;
}
