import type { BoardHost, StoredCircle, StoredEvent } from "../protocol/events.js";

/** Refuse a bad cap before it reaches a batch, where it would fail every write queued with it. */
export function checkMaxCircles(maxCircles: number): RangeError | undefined {
  return Number.isInteger(maxCircles) && maxCircles >= 0 ? undefined : new RangeError(`maxCircles must be a non-negative integer, got ${maxCircles}`);
}

/** A board as stored: its circles, oldest first, and the seq of the last change they reflect. */
export interface StoredBoard {
  seq: number;
  circles: StoredCircle[];
  /** Present once someone claimed the board (`claim`). */
  host?: BoardHost;
}

/** A clear refused because the board is locked and the clearer is not its host. */
export class BoardLockedError extends Error {
  constructor(board: string) {
    super(`board ${board} is locked by its host`);
    this.name = "BoardLockedError";
  }
}

export interface ClearOptions {
  /** When, in ms since the epoch, for the undo window (`restoreCleared`); now by default. */
  at?: number;
  /** The clearer's host key hash: a locked board is cleared only by its host. */
  host?: string | undefined;
}

export interface RestoreRequest {
  /** The seq of the clear to undo. */
  seq: number;
  /** The earliest time (ms since the epoch) that clear may have been made at. */
  since: number;
  /** The requester's host key hash, for a locked board. */
  host?: string | undefined;
  maxCircles: number;
}

/**
 * Why a restore was refused, in the order they are checked: `locked`, the
 * board is locked and the requester is not its host; `gone`, the clear is
 * not the board's last, or its circles were already restored; `expired`, it
 * was made before `since`.
 */
export type RestoreRefusal = "locked" | "gone" | "expired";

export type RestoreOutcome = { ok: true; events: StoredEvent[] } | { ok: false; reason: RestoreRefusal };

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
 *
 * A circle may carry an owner (a hash of its player's key), kept with it
 * and given back wherever it is. Each board keeps the circles its last
 * clear removed, so that the clear can be undone. A board may have a host
 * (a hash of the host's key), who may lock it so that only they may clear.
 */
export interface BoardStore {
  /** The board's circles and seq; an unknown board has none and seq 0. */
  load(board: string): Promise<StoredBoard>;
  /**
   * Append a circle, then drop the board's oldest circles until at most
   * `maxCircles` remain. Resolves with the changes made, in seq order: the
   * add, then one remove per dropped circle, oldest first.
   */
  add(board: string, circle: StoredCircle, maxCircles: number): Promise<StoredEvent[]>;
  /**
   * Remove every circle of the board, keeping them (in order, with their
   * owners) in place of what the previous clear removed; resolves with the
   * clear's change. Rejects with BoardLockedError, changing nothing, when
   * the board is locked and `options.host` is not its host's.
   */
  clear(board: string, options?: ClearOptions): Promise<StoredEvent & { type: "clear" }>;
  /**
   * Remove the circle `id` if `owner` owns it; resolves with its change, or
   * undefined (no seq taken) when the board has no such circle of theirs.
   */
  removeOwned(board: string, id: string, owner: string): Promise<(StoredEvent & { type: "remove" }) | undefined>;
  /**
   * Put back the circles the clear `request.seq` removed, when it is still
   * the board's last clear and was made at or after `request.since`: in
   * their original order, with their ids, owners and fields, after whatever
   * was added since, each taking a new seq; then, as after an `add`, the
   * board's oldest circles beyond `maxCircles` are dropped. Resolves with
   * those changes in seq order, the adds then the removes (none when the
   * clear removed nothing); the circles are then no longer kept, so a clear
   * is undone at most once.
   */
  restoreCleared(board: string, request: RestoreRequest): Promise<RestoreOutcome>;
  /**
   * Make `hash` the board's host, unlocked, if the board never changed and
   * has no host; true when it did. Takes no seq.
   */
  claim(board: string, hash: string): Promise<boolean>;
  /** Lock or unlock the board if `hash` is its host's; true when it did. Takes no seq. */
  setLocked(board: string, hash: string, locked: boolean): Promise<boolean>;
  /** Resolves when the store can serve requests; rejects with the reason otherwise. */
  ping(): Promise<void>;
  /** Finish pending writes and release the store's resources. */
  close(): Promise<void>;
}
