import type { RemovedPlayer, RoomRules, StoredCircle, StoredEvent } from "../protocol/events.js";
import {
  BoardLockedError,
  DrawRefusedError,
  type Authority,
  type BoardStore,
  type ClearOptions,
  newValueOf,
  type NOT_HOST,
  type Once,
  type OnceOutcome,
  type RestoreOutcome,
  type RestoreRequest,
  type StoredBoard,
} from "./board-store.js";

/**
 * A write of a board, as its batches run it: with its name when it has one.
 * An add is named by its circle's id (see `circleRowName`), so only what it
 * is travels (`fingerprint`; absent only when names go unchecked).
 */
export type WriteRequest =
  { op: "add"; board: string; circle: StoredCircle; maxCircles: number; by: Authority; fingerprint?: string | undefined } | NamedRequest;

/** A write but an add, with its name when it has one. */
export type NamedRequest = (
  | { op: "clear"; board: string; at: number; by: Authority }
  | { op: "remove-owned"; board: string; id: string; owner: string }
  | { op: "restore"; board: string; request: RestoreRequest }
  | { op: "claim"; board: string; hash: string }
  | { op: "set-locked"; board: string; hash: string; locked: boolean }
  | { op: "set-rules"; board: string; rules: Partial<RoomRules>; by: Authority }
  | { op: "remove-player"; board: string; player: RemovedPlayer; by: Authority }
  | { op: "readmit-player"; board: string; id: string; by: Authority }
  | { op: "remove-circle"; board: string; id: string; by: Authority }
  | { op: "delete-board"; board: string; by: Authority }
) & { once?: Once | undefined };

/** One call of a RequestStore, as its batches run it (SQLite's worker, PostgreSQL's transaction). */
export type StoreRequest =
  { op: "load"; board: string } | WriteRequest | { op: "touch"; boards: string[]; at: number } | { op: "sweep"; before: number } | { op: "ping" };

/** The host's actions: each checks, in its own transaction, that its asker holds the host's powers on the board. */
export type HostRequest = StoreRequest & { op: "set-rules" | "remove-player" | "readmit-player" | "remove-circle" | "delete-board" };

/** The boards a request writes or reads, in the order given. */
export function boardsOf(request: StoreRequest): readonly string[] {
  if (request.op === "touch") return request.boards;
  if (request.op === "sweep" || request.op === "ping") return [];
  return [request.board];
}

/**
 * A clear's answer when the board is locked against its clearer: a value,
 * not a throw, so that the batch's other writes still commit. `clear` turns
 * it into a BoardLockedError.
 */
export const CLEAR_LOCKED = "locked";

/** An add's answer when the board's rules refuse it: a value, as CLEAR_LOCKED is; `add` turns it into a DrawRefusedError. */
export type DrawRefusal = DrawRefusedError["reason"];

/** A name as the caller gave it, without what postMessage cannot clone. */
const nameOf = (once: Once | undefined): Once | undefined =>
  once === undefined
    ? undefined
    : { id: once.id, fingerprint: once.fingerprint, ...(once.keepUntil === undefined ? {} : { keepUntil: once.keepUntil }) };

/**
 * A name as a store found it: the fingerprint of the write that took it
 * (null for a circle stored before names, which no write matches) and that
 * write's answer.
 */
export interface KnownName {
  fingerprint: string | null;
  value: unknown;
}

/**
 * What names an add (see `RequestStore.add`): the circle's row itself, while
 * the board or its last clear keeps it, found with the fingerprint and seq of
 * its add, whose change is the answer to a retry. A row with neither was
 * stored before names: its id is taken, by no write a client may send.
 */
export function circleRowName(circle: StoredCircle, fingerprint: string | null, addSeq: number | null): KnownName {
  return fingerprint === null || addSeq === null ? { fingerprint: null, value: null } : { fingerprint, value: addChange(circle, addSeq) };
}

/** An add's answer as a retry of it gets it: its own change, without the removes its cap made (those circles are long gone). */
export const addChange = (circle: StoredCircle, seq: number): StoredEvent[] => [{ seq, type: "add", circle }];

/**
 * How a batch starts a named write (see `Once`), whatever its database: the
 * name, looked up first, in the write's transaction (`known`), answers the
 * write when it is taken: with the first answer (the same fingerprint), or
 * as a conflict. Undefined: the name is free, so the batch runs the write,
 * answers with the write's own answer and, when it took effect
 * (`tookEffect`), keeps its name with it; but for an add, whose row is its name.
 */
export function takenOutcome(once: Once, known: KnownName | undefined): OnceOutcome | undefined {
  if (known === undefined) return undefined;
  return known.fingerprint === once.fingerprint ? { once: "applied", value: known.value } : { once: "conflict" };
}

/** Only the fields of an Authority: the caller's object may hold more, even what postMessage cannot clone. */
const authority = ({ host, admin }: Authority): Authority => ({ host, admin: admin === true });

/**
 * A BoardStore whose every call becomes a StoreRequest, run in the batches
 * of its subclass (SqliteStore, PostgresStore), which implements `call` and
 * `close`.
 */
export abstract class RequestStore implements BoardStore {
  /** False only for bench/write-names.ts, which measures what checking adds' names costs; the server never sets it. */
  readonly #checkNames: boolean;

  /** `checkNames` false: adds go unnamed (no `once`), guarded only by the UNIQUE (board, id) of circles. */
  protected constructor({ checkNames = true }: { checkNames?: boolean } = {}) {
    this.#checkNames = checkNames;
  }

  /**
   * Runs `request` in the store's batches; `answer` turns the batch's value
   * into the caller's (or throws to reject it) as it settles, keeping
   * promises in call order.
   */
  protected abstract call<T>(request: StoreRequest, answer: (value: unknown) => T): Promise<T>;

  abstract close(): Promise<void>;

  load(board: string): Promise<StoredBoard> {
    return this.#ask({ op: "load", board });
  }

  /**
   * Every add is named by its circle's id (`once.id` is it), with `once`'s
   * fingerprint ("" without one), and its name is its circle's row: see `circleRowName`.
   */
  add(board: string, circle: StoredCircle, maxCircles: number, by: Authority = {}, once?: Once): Promise<StoredEvent[]> {
    const name = this.#checkNames ? { id: circle.id, fingerprint: once?.fingerprint ?? "" } : undefined;
    const request: WriteRequest = { op: "add", board, circle, maxCircles, by: authority(by), fingerprint: name?.fingerprint };
    return this.call(request, (outcome) => {
      const added = name === undefined ? outcome : newValueOf(board, name, outcome);
      if (typeof added === "string") throw new DrawRefusedError(board, added as DrawRefusal);
      return added as StoredEvent[];
    });
  }

  clear(board: string, { at = Date.now(), host, admin }: ClearOptions = {}, once?: Once): Promise<StoredEvent & { type: "clear" }> {
    return this.#write({ op: "clear", board, at, by: authority({ host, admin }), once: nameOf(once) }, (cleared) => {
      if (cleared === CLEAR_LOCKED) throw new BoardLockedError(board);
      return cleared as StoredEvent & { type: "clear" };
    });
  }

  removeOwned(board: string, id: string, owner: string, once?: Once): Promise<(StoredEvent & { type: "remove" }) | undefined> {
    return this.#write({ op: "remove-owned", board, id, owner, once: nameOf(once) });
  }

  restoreCleared(board: string, { seq, since, host, admin, maxCircles }: RestoreRequest, once?: Once): Promise<RestoreOutcome> {
    return this.#write({ op: "restore", board, request: { seq, since, maxCircles, ...authority({ host, admin }) }, once: nameOf(once) });
  }

  claim(board: string, hash: string, once?: Once): Promise<boolean> {
    return this.#write({ op: "claim", board, hash, once: nameOf(once) });
  }

  setLocked(board: string, hash: string, locked: boolean, once?: Once): Promise<boolean> {
    return this.#write({ op: "set-locked", board, hash, locked, once: nameOf(once) });
  }

  setRules(board: string, { draw, chat }: Partial<RoomRules>, by: Authority, once?: Once): Promise<RoomRules | typeof NOT_HOST> {
    return this.#write({ op: "set-rules", board, rules: { draw, chat }, by: authority(by), once: nameOf(once) });
  }

  removePlayer(board: string, { id, initials, owner }: RemovedPlayer, by: Authority, once?: Once): Promise<StoredEvent[] | typeof NOT_HOST> {
    return this.#write({ op: "remove-player", board, player: { id, initials, owner }, by: authority(by), once: nameOf(once) });
  }

  readmitPlayer(board: string, id: string, by: Authority, once?: Once): Promise<boolean | typeof NOT_HOST> {
    return this.#write({ op: "readmit-player", board, id, by: authority(by), once: nameOf(once) });
  }

  removeCircle(board: string, id: string, by: Authority, once?: Once): Promise<(StoredEvent & { type: "remove" }) | undefined | typeof NOT_HOST> {
    return this.#write({ op: "remove-circle", board, id, by: authority(by), once: nameOf(once) });
  }

  deleteBoard(board: string, by: Authority, once?: Once): Promise<true | typeof NOT_HOST> {
    return this.#write({ op: "delete-board", board, by: authority(by), once: nameOf(once) });
  }

  async touch(boards: readonly string[], at: number): Promise<void> {
    await this.#ask({ op: "touch", boards: [...boards], at });
  }

  sweep(before: number): Promise<string[]> {
    return this.#ask({ op: "sweep", before });
  }

  /** Answers through the batches, as writes do, so it fails when they would: SQLite's worker gone or stuck, PostgreSQL down. */
  async ping(): Promise<void> {
    await this.#ask({ op: "ping" });
  }

  /** A write: a named one not made now rejects (see `newValueOf`). */
  #write<T>(request: NamedRequest, answer: (value: unknown) => T = (value) => value as T): Promise<T> {
    const { once } = request;
    if (once === undefined) return this.call(request, answer);
    return this.call(request, (value) => answer(newValueOf(request.board, once, value)));
  }

  /** A request whose batch value is the caller's answer as it is. */
  #ask<T>(request: StoreRequest): Promise<T> {
    return this.call(request, (value) => value as T);
  }
}
