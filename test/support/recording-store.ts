/**
 * Wraps a store (the test server's SQLite store) and remembers every board
 * anything was written to, so a test can inspect all of them, not only the
 * boards it meant to touch.
 */
import type { StoredCircle, StoredEvent } from "../../lib/protocol/events.js";
import type { BoardStore, ClearOptions, RestoreRequest, StoredBoard } from "../../lib/store/board-store.js";

export class RecordingStore implements BoardStore {
  /** Boards that received a write, in first-write order. */
  readonly written = new Set<string>();
  readonly #inner: BoardStore;

  constructor(inner: BoardStore) {
    this.#inner = inner;
  }

  load(board: string): Promise<StoredBoard> {
    return this.#inner.load(board);
  }

  add(board: string, circle: StoredCircle, maxCircles: number): Promise<StoredEvent[]> {
    this.written.add(board);
    return this.#inner.add(board, circle, maxCircles);
  }

  clear(board: string, options?: ClearOptions): ReturnType<BoardStore["clear"]> {
    this.written.add(board);
    return this.#inner.clear(board, options);
  }

  removeOwned(board: string, id: string, owner: string): ReturnType<BoardStore["removeOwned"]> {
    this.written.add(board);
    return this.#inner.removeOwned(board, id, owner);
  }

  restoreCleared(board: string, request: RestoreRequest): ReturnType<BoardStore["restoreCleared"]> {
    this.written.add(board);
    return this.#inner.restoreCleared(board, request);
  }

  claim(board: string, hash: string): Promise<boolean> {
    this.written.add(board);
    return this.#inner.claim(board, hash);
  }

  setLocked(board: string, hash: string, locked: boolean): Promise<boolean> {
    this.written.add(board);
    return this.#inner.setLocked(board, hash, locked);
  }

  ping(): Promise<void> {
    return this.#inner.ping();
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}
