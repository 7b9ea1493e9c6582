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

/**
 * A write its client named (a circle's id, an operation id), so that a retry
 * of it changes nothing: the store checks the name in the write's own
 * transaction, and a write that took effect is remembered under it with its
 * outcome. A refused write is not remembered: its retry is judged anew.
 */
export interface Once {
  id: string;
  /** What the write is (its kind and arguments): the same id for a different write is a conflict. */
  fingerprint: string;
  /** Until when (ms since the epoch) the name is remembered; absent, as long as the board. */
  keepUntil?: number;
}

/** The write's name was taken by this very write before: nothing was done now, and `value` is the store's answer then. */
export class AlreadyAppliedError extends Error {
  readonly value: unknown;
  constructor(board: string, id: string, value: unknown) {
    super(`the write ${id} on board ${board} was made before`);
    this.name = "AlreadyAppliedError";
    this.value = value;
  }
}

/** The write's name was taken by a different write before (or is a circle's id already): nothing was done. */
export class OperationConflictError extends Error {
  constructor(board: string, id: string) {
    super(`the id ${id} on board ${board} was used for a different write`);
    this.name = "OperationConflictError";
  }
}

/**
 * A store's answer to a named write not made now, as its batches give it in
 * place of the method's own answer: made before (the answer then), or a
 * conflict. No method's answer has a `once` key, so neither is taken for
 * the other, and a write made now (an add, above all) is answered as it is,
 * with nothing wrapped around it. `RequestStore` turns these into the errors above.
 */
export type OnceOutcome = { once: "applied"; value: unknown } | { once: "conflict" };

/**
 * Whether a store method's answer says the write took effect, so that its
 * name is remembered: refusals answer a string (a DrawRefusal, CLEAR_LOCKED,
 * NOT_HOST), false, undefined or `{ok: false}`.
 */
export function tookEffect(value: unknown): boolean {
  if (value === true || Array.isArray(value)) return true;
  return typeof value === "object" && value !== null && (value as { ok?: unknown }).ok !== false;
}

/** Is a named write's batch value a OnceOutcome (not made now), rather than the write's own answer? */
const isOnceOutcome = (value: unknown): value is OnceOutcome => typeof value === "object" && value !== null && "once" in value;

/** The answer a named write gets from its batch's value: `AlreadyAppliedError` or `OperationConflictError` when not made now. */
export function newValueOf(board: string, once: Once, value: unknown): unknown {
  if (!isOnceOutcome(value)) return value;
  if (value.once === "applied") throw new AlreadyAppliedError(board, once.id, value.value);
  throw new OperationConflictError(board, once.id);
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
 *
 * Every write takes an optional `once` (see `Once`): when its id names a
 * write that took effect before on the board, nothing is done, no seq is
 * taken, and the call rejects with AlreadyAppliedError carrying the answer
 * given then; when it names another write (another fingerprint), or is the
 * id of a circle on the board, it rejects with OperationConflictError. Every
 * add is named by its circle's id (the caller passes it as `once.id`), so
 * that no two circles of a board share one, and its retry is answered with
 * the add's own change (not the removes its cap made). A circle the cap
 * drops is forgotten, name and all: its id is free again, so that adds
 * write no name of their own (the circle's row is it).
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
  add(board: string, circle: StoredCircle, maxCircles: number, by?: Authority, once?: Once): Promise<StoredEvent[]>;
  /**
   * Remove every circle of the board, keeping them (in order, with their
   * owners) in place of what the previous clear removed; resolves with the
   * clear's change. Rejects with BoardLockedError, changing nothing, when
   * the board is locked and `options.host` is not its host's.
   */
  clear(board: string, options?: ClearOptions, once?: Once): Promise<StoredEvent & { type: "clear" }>;
  /**
   * Remove the circle `id` if `owner` owns it; resolves with its change, or
   * undefined (no seq taken) when the board has no such circle of theirs.
   */
  removeOwned(board: string, id: string, owner: string, once?: Once): Promise<(StoredEvent & { type: "remove" }) | undefined>;
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
  restoreCleared(board: string, request: RestoreRequest, once?: Once): Promise<RestoreOutcome>;
  /**
   * Make `hash` the board's host, unlocked, if the board never changed and
   * has no host; true when it did. Takes no seq.
   */
  claim(board: string, hash: string, once?: Once): Promise<boolean>;
  /** Lock or unlock the board if `hash` is its host's; true when it did. Takes no seq. */
  setLocked(board: string, hash: string, locked: boolean, once?: Once): Promise<boolean>;
  /**
   * The host only: change who may draw and chat (the fields given; the
   * others stay). Resolves with the board's whole rules. Takes no seq.
   */
  setRules(board: string, rules: Partial<RoomRules>, by: Authority, once?: Once): Promise<RoomRules | typeof NOT_HOST>;
  /**
   * The host only: keep `player.owner` out of the board (in place of an
   * earlier entry with that owner) and remove every circle they own on it,
   * oldest first, each a change with its seq. Resolves with those changes
   * (none when they drew nothing).
   */
  removePlayer(board: string, player: RemovedPlayer, by: Authority, once?: Once): Promise<StoredEvent[] | typeof NOT_HOST>;
  /** The host only: let the removed player with this `id` back; false when none is. Takes no seq. */
  readmitPlayer(board: string, id: string, by: Authority, once?: Once): Promise<boolean | typeof NOT_HOST>;
  /**
   * The host only: remove the circle `id`, whoever drew it; resolves with
   * its change, or undefined (no seq taken) when the board has no such circle.
   */
  removeCircle(board: string, id: string, by: Authority, once?: Once): Promise<(StoredEvent & { type: "remove" }) | undefined | typeof NOT_HOST>;
  /**
   * The host only: forget everything of the board (circles, cleared
   * circles, host, rules, removed players, seq), so that its name is free
   * again: a load then gives seq 0 and no circles. The names of its writes
   * are forgotten too, but for this deletion's own `once`.
   */
  deleteBoard(board: string, by: Authority, once?: Once): Promise<true | typeof NOT_HOST>;
  /** Mark these boards used at `at` (ms since the epoch), unless a later use is known: boards people are on. */
  touch(boards: readonly string[], at: number): Promise<void>;
  /**
   * Delete, as `deleteBoard` does, every board last used before `before`, and
   * forget every write's name whose `keepUntil` has passed; resolves with the
   * boards' names.
   */
  sweep(before: number): Promise<string[]>;
  /** Resolves when the store can serve requests; rejects with the reason otherwise. */
  ping(): Promise<void>;
  /** Finish pending writes and release the store's resources. */
  close(): Promise<void>;
}
