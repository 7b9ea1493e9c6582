import type { BoardEvent, Circle } from "../events.js";
import { checkMaxCircles, type BoardStore, type StoredBoard } from "./board-store.js";

/**
 * Boards in process memory, for `STORE=memory` (a throwaway board) and for
 * tests of the other layers. Nothing survives a restart. Every method finishes before it
 * returns, so writes take effect in call order by construction.
 */
export class MemoryStore implements BoardStore {
  /** A cleared board keeps its entry, and so its seq, which must never be reused. */
  readonly #boards = new Map<string, StoredBoard>();
  #closed = false;

  async load(board: string): Promise<StoredBoard> {
    this.#assertOpen();
    const stored = this.#boards.get(board);
    // Copies both ways (here and in `add`): callers may mutate their objects.
    return { seq: stored?.seq ?? 0, circles: (stored?.circles ?? []).map((circle) => ({ ...circle })) };
  }

  async add(board: string, circle: Circle, maxCircles: number): Promise<BoardEvent[]> {
    this.#assertOpen();
    const badCap = checkMaxCircles(maxCircles);
    if (badCap) throw badCap;
    const stored = this.#board(board);
    stored.circles.push({ ...circle });
    const events: BoardEvent[] = [{ seq: ++stored.seq, type: "add", circle: { ...circle } }];
    for (const gone of stored.circles.splice(0, Math.max(0, stored.circles.length - maxCircles))) {
      events.push({ seq: ++stored.seq, type: "remove", id: gone.id });
    }
    return events;
  }

  async clear(board: string): Promise<BoardEvent & { type: "clear" }> {
    this.#assertOpen();
    const stored = this.#board(board);
    stored.circles = [];
    return { seq: ++stored.seq, type: "clear" };
  }

  async ping(): Promise<void> {
    this.#assertOpen();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#boards.clear();
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error("store is closed");
  }

  #board(board: string): StoredBoard {
    let stored = this.#boards.get(board);
    if (stored === undefined) {
      stored = { seq: 0, circles: [] };
      this.#boards.set(board, stored);
    }
    return stored;
  }
}
