/**
 * Wraps a store (the test server's SQLite store) and remembers every board
 * anything was written to, so a test can inspect all of them, not only the
 * boards it meant to touch.
 */
import type { RemovedPlayer, RoomRules, StoredCircle, StoredEvent } from "../../lib/protocol/events.js";
import type { Authority, BoardStore, ClearOptions, RestoreRequest, StoredBoard } from "../../lib/store/board-store.js";

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

  add(board: string, circle: StoredCircle, maxCircles: number, by?: Authority): Promise<StoredEvent[]> {
    this.written.add(board);
    return this.#inner.add(board, circle, maxCircles, by);
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

  setRules(board: string, rules: Partial<RoomRules>, by: Authority): ReturnType<BoardStore["setRules"]> {
    this.written.add(board);
    return this.#inner.setRules(board, rules, by);
  }

  removePlayer(board: string, player: RemovedPlayer, by: Authority): ReturnType<BoardStore["removePlayer"]> {
    this.written.add(board);
    return this.#inner.removePlayer(board, player, by);
  }

  readmitPlayer(board: string, id: string, by: Authority): ReturnType<BoardStore["readmitPlayer"]> {
    this.written.add(board);
    return this.#inner.readmitPlayer(board, id, by);
  }

  removeCircle(board: string, id: string, by: Authority): ReturnType<BoardStore["removeCircle"]> {
    this.written.add(board);
    return this.#inner.removeCircle(board, id, by);
  }

  deleteBoard(board: string, by: Authority): ReturnType<BoardStore["deleteBoard"]> {
    this.written.add(board);
    return this.#inner.deleteBoard(board, by);
  }

  touch(boards: readonly string[], at: number): Promise<void> {
    return this.#inner.touch(boards, at);
  }

  sweep(before: number): Promise<string[]> {
    return this.#inner.sweep(before);
  }

  ping(): Promise<void> {
    return this.#inner.ping();
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}
