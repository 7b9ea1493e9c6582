import type { BoardHost, RemovedPlayer, RoomRules, StoredCircle, StoredEvent } from "../protocol/events.js";

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
  /** Who may draw and chat; every store gives them, DEFAULT_RULES until the host says otherwise (absent: those). */
  rules?: RoomRules;
  /** The players the host removed and has not let back, in the order removed; every store gives them (absent: none). */
  removed?: RemovedPlayer[];
}

/** Everyone may draw and chat: a board's rules until its host changes them. */
export const DEFAULT_RULES: RoomRules = Object.freeze({ draw: "everyone", chat: "everyone" });

/**
 * Who asks for a host's action: the hash of their host key for the board,
 * and whether they hold the operator's admin key (the host's powers on
 * every board, hosted or not).
 */
export interface Authority {
  host?: string | undefined;
  admin?: boolean;
}

/** Does `by` have the host's powers on a board whose host's key hash is `host` (none: null or undefined)? */
export const hasAuthority = (host: string | null | undefined, by: Authority): boolean =>
  by.admin === true || (host !== null && host !== undefined && by.host === host);

/** An action only the board's host (or the admin) may take, asked by someone else: nothing changed. */
export const NOT_HOST = "not-host";

/** An add refused by the board's rules: drawing is the host's (`paused`), or the circle's owner was removed (`removed`). */
export class DrawRefusedError extends Error {
  readonly reason: "paused" | "removed";
  constructor(board: string, reason: "paused" | "removed") {
    super(reason === "paused" ? `drawing on board ${board} is paused by its host` : `the player was removed from board ${board}`);
    this.name = "DrawRefusedError";
    this.reason = reason;
  }
}

/** A clear refused because the board is locked and the clearer is not its host. */
export class BoardLockedError extends Error {
  constructor(board: string) {
    super(`board ${board} is locked by its host`);
    this.name = "BoardLockedError";
  }
}

export interface ClearOptions extends Authority {
  /** When, in ms since the epoch, for the undo window (`restoreCleared`); now by default. */
  at?: number;
  /** The clearer's host key hash: a locked board is cleared only by its host (or the admin). */
  host?: string | undefined;
}

export interface RestoreRequest extends Authority {
  /** The seq of the clear to undo. */
  seq: number;
  /** The earliest time (ms since the epoch) that clear may have been made at. */
  since: number;
  /** The requester's host key hash, for a locked board (the admin may too). */
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
 * (a hash of the host's key), who may lock it so that only they may clear,
 * keep drawing or chat to themselves (its rules), remove players (whose
 * keys then stay out) and delete it. Each host action checks, in its own
 * transaction, that the asker is the host or holds the admin key, and
 * answers NOT_HOST, changing nothing, when not.
 *
 * Every write, and `touch`, marks the board used now; `sweep` deletes the
 * boards unused since a time, as `deleteBoard` does.
 */
export interface BoardStore {
  /** The board's circles and seq; an unknown board has none and seq 0. */
  load(board: string): Promise<StoredBoard>;
  /**
   * Append a circle, then drop the board's oldest circles until at most
   * `maxCircles` remain. Resolves with the changes made, in seq order: the
   * add, then one remove per dropped circle, oldest first. Rejects with a
   * DrawRefusedError, changing nothing, when drawing is the host's and `by`
   * is not the host (`paused`), or the circle's owner was removed from the
   * board (`removed`; checked first).
   */
  add(board: string, circle: StoredCircle, maxCircles: number, by?: Authority): Promise<StoredEvent[]>;
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
  /**
   * The host only: change who may draw and chat (the fields given; the
   * others stay). Resolves with the board's whole rules. Takes no seq.
   */
  setRules(board: string, rules: Partial<RoomRules>, by: Authority): Promise<RoomRules | typeof NOT_HOST>;
  /**
   * The host only: keep `player.owner` out of the board (in place of an
   * earlier entry with that owner) and remove every circle they own on it,
   * oldest first, each a change with its seq. Resolves with those changes
   * (none when they drew nothing).
   */
  removePlayer(board: string, player: RemovedPlayer, by: Authority): Promise<StoredEvent[] | typeof NOT_HOST>;
  /** The host only: let the removed player with this `id` back; false when none is. Takes no seq. */
  readmitPlayer(board: string, id: string, by: Authority): Promise<boolean | typeof NOT_HOST>;
  /**
   * The host only: remove the circle `id`, whoever drew it; resolves with
   * its change, or undefined (no seq taken) when the board has no such circle.
   */
  removeCircle(board: string, id: string, by: Authority): Promise<(StoredEvent & { type: "remove" }) | undefined | typeof NOT_HOST>;
  /**
   * The host only: forget everything of the board (circles, cleared
   * circles, host, rules, removed players, seq), so that its name is free
   * again: a load then gives seq 0 and no circles.
   */
  deleteBoard(board: string, by: Authority): Promise<true | typeof NOT_HOST>;
  /** Mark these boards used at `at` (ms since the epoch), unless a later use is known: boards people are on. */
  touch(boards: readonly string[], at: number): Promise<void>;
  /** Delete, as `deleteBoard` does, every board last used before `before`; resolves with their names. */
  sweep(before: number): Promise<string[]>;
  /** Resolves when the store can serve requests; rejects with the reason otherwise. */
  ping(): Promise<void>;
  /** Finish pending writes and release the store's resources. */
  close(): Promise<void>;
}
