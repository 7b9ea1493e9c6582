import type { RemovedPlayer, RoomRules, StoredCircle, StoredEvent } from "../protocol/events.js";
import {
  BoardLockedError,
  DrawRefusedError,
  type Authority,
  type BoardStore,
  type ClearOptions,
  type NOT_HOST,
  type RestoreOutcome,
  type RestoreRequest,
  type StoredBoard,
} from "./board-store.js";

/** One call of a RequestStore, as its batches run it (SQLite's worker, PostgreSQL's transaction). */
export type StoreRequest =
  | { op: "load"; board: string }
  | { op: "add"; board: string; circle: StoredCircle; maxCircles: number; by: Authority }
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
  | { op: "touch"; boards: string[]; at: number }
  | { op: "sweep"; before: number }
  | { op: "ping" };

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

/** Only the fields of an Authority: the caller's object may hold more, even what postMessage cannot clone. */
const authority = ({ host, admin }: Authority): Authority => ({ host, admin: admin === true });

/**
 * A BoardStore whose every call becomes a StoreRequest, run in the batches
 * of its subclass (SqliteStore, PostgresStore), which implements `call` and
 * `close`.
 */
export abstract class RequestStore implements BoardStore {
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

  add(board: string, circle: StoredCircle, maxCircles: number, by: Authority = {}): Promise<StoredEvent[]> {
    return this.call({ op: "add", board, circle, maxCircles, by: authority(by) }, (added) => {
      if (typeof added === "string") throw new DrawRefusedError(board, added as DrawRefusal);
      return added as StoredEvent[];
    });
  }

  clear(board: string, { at = Date.now(), host, admin }: ClearOptions = {}): Promise<StoredEvent & { type: "clear" }> {
    return this.call({ op: "clear", board, at, by: authority({ host, admin }) }, (cleared) => {
      if (cleared === CLEAR_LOCKED) throw new BoardLockedError(board);
      return cleared as StoredEvent & { type: "clear" };
    });
  }

  removeOwned(board: string, id: string, owner: string): Promise<(StoredEvent & { type: "remove" }) | undefined> {
    return this.#ask({ op: "remove-owned", board, id, owner });
  }

  restoreCleared(board: string, { seq, since, host, admin, maxCircles }: RestoreRequest): Promise<RestoreOutcome> {
    return this.#ask({ op: "restore", board, request: { seq, since, maxCircles, ...authority({ host, admin }) } });
  }

  claim(board: string, hash: string): Promise<boolean> {
    return this.#ask({ op: "claim", board, hash });
  }

  setLocked(board: string, hash: string, locked: boolean): Promise<boolean> {
    return this.#ask({ op: "set-locked", board, hash, locked });
  }

  setRules(board: string, { draw, chat }: Partial<RoomRules>, by: Authority): Promise<RoomRules | typeof NOT_HOST> {
    return this.#ask({ op: "set-rules", board, rules: { draw, chat }, by: authority(by) });
  }

  removePlayer(board: string, { id, initials, owner }: RemovedPlayer, by: Authority): Promise<StoredEvent[] | typeof NOT_HOST> {
    return this.#ask({ op: "remove-player", board, player: { id, initials, owner }, by: authority(by) });
  }

  readmitPlayer(board: string, id: string, by: Authority): Promise<boolean | typeof NOT_HOST> {
    return this.#ask({ op: "readmit-player", board, id, by: authority(by) });
  }

  removeCircle(board: string, id: string, by: Authority): Promise<(StoredEvent & { type: "remove" }) | undefined | typeof NOT_HOST> {
    return this.#ask({ op: "remove-circle", board, id, by: authority(by) });
  }

  deleteBoard(board: string, by: Authority): Promise<true | typeof NOT_HOST> {
    return this.#ask({ op: "delete-board", board, by: authority(by) });
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

  /** A request whose batch value is the caller's answer as it is. */
  #ask<T>(request: StoreRequest): Promise<T> {
    return this.call(request, (value) => value as T);
  }
}
