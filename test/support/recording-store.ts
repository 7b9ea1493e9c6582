/**
 * Wraps a store (the test server's SQLite store) and remembers every board
 * anything was written to, so a test can inspect all of them, not only the
 * boards it meant to touch.
 */
import type { BoardEvent, Circle } from "../../lib/events.js";
import type { BoardStore, StoredBoard } from "../../lib/store/board-store.js";

export class RecordingStore implements BoardStore {
  /** Boards that received an `add` or a `clear`, in first-write order. */
  readonly written = new Set<string>();
  readonly #inner: BoardStore;

  constructor(inner: BoardStore) {
    this.#inner = inner;
  }

  load(board: string): Promise<StoredBoard> {
    return this.#inner.load(board);
  }

  add(board: string, circle: Circle, maxCircles: number): Promise<BoardEvent[]> {
    this.written.add(board);
    return this.#inner.add(board, circle, maxCircles);
  }

  clear(board: string): ReturnType<BoardStore["clear"]> {
    this.written.add(board);
    return this.#inner.clear(board);
  }

  ping(): Promise<void> {
    return this.#inner.ping();
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}
