import type { Circle } from "../events.js";
import { checkMaxCircles, type BoardStore } from "./board-store.js";

/**
 * Boards in process memory, for `STORE=memory` (a throwaway board) and for
 * tests of the other layers. Nothing survives a restart. Every method finishes before it
 * returns, so writes take effect in call order by construction.
 */
export class MemoryStore implements BoardStore {
  readonly #boards = new Map<string, Circle[]>();
  #closed = false;

  async load(board: string): Promise<Circle[]> {
    this.#assertOpen();
    // Copies both ways (here and in `add`): callers may mutate their objects.
    return (this.#boards.get(board) ?? []).map((circle) => ({ ...circle }));
  }

  async add(board: string, circle: Circle, maxCircles: number): Promise<string[]> {
    this.#assertOpen();
    const badCap = checkMaxCircles(maxCircles);
    if (badCap) throw badCap;
    const circles = this.#boards.get(board) ?? [];
    circles.push({ ...circle });
    const dropped = circles.splice(0, Math.max(0, circles.length - maxCircles));
    if (circles.length > 0) this.#boards.set(board, circles);
    else this.#boards.delete(board);
    return dropped.map((gone) => gone.id);
  }

  async clear(board: string): Promise<void> {
    this.#assertOpen();
    this.#boards.delete(board);
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
}
