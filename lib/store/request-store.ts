import type { StoredCircle, StoredEvent } from "../protocol/events.js";
import { BoardLockedError, type BoardStore, type ClearOptions, type RestoreOutcome, type RestoreRequest, type StoredBoard } from "./board-store.js";

/** One call of a RequestStore, as its batches run it (SQLite's worker, PostgreSQL's transaction). */
export type StoreRequest =
  | { op: "load"; board: string }
  | { op: "add"; board: string; circle: StoredCircle; maxCircles: number }
  | { op: "clear"; board: string; at: number; host: string | undefined }
  | { op: "remove-owned"; board: string; id: string; owner: string }
  | { op: "restore"; board: string; request: RestoreRequest }
  | { op: "claim"; board: string; hash: string }
  | { op: "set-locked"; board: string; hash: string; locked: boolean }
  | { op: "ping" };

/**
 * A clear's answer when the board is locked against its clearer: a value,
 * not a throw, so that the batch's other writes still commit. `clear` turns
 * it into a BoardLockedError.
 */
export const CLEAR_LOCKED = "locked";

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

  add(board: string, circle: StoredCircle, maxCircles: number): Promise<StoredEvent[]> {
    return this.#ask({ op: "add", board, circle, maxCircles });
  }

  clear(board: string, { at = Date.now(), host }: ClearOptions = {}): Promise<StoredEvent & { type: "clear" }> {
    return this.call({ op: "clear", board, at, host }, (cleared) => {
      if (cleared === CLEAR_LOCKED) throw new BoardLockedError(board);
      return cleared as StoredEvent & { type: "clear" };
    });
  }

  removeOwned(board: string, id: string, owner: string): Promise<(StoredEvent & { type: "remove" }) | undefined> {
    return this.#ask({ op: "remove-owned", board, id, owner });
  }

  restoreCleared(board: string, request: RestoreRequest): Promise<RestoreOutcome> {
    return this.#ask({ op: "restore", board, request });
  }

  claim(board: string, hash: string): Promise<boolean> {
    return this.#ask({ op: "claim", board, hash });
  }

  setLocked(board: string, hash: string, locked: boolean): Promise<boolean> {
    return this.#ask({ op: "set-locked", board, hash, locked });
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
