import type { StoredCircle, StoredEvent } from "../protocol/events.js";
import {
  BoardLockedError,
  checkMaxCircles,
  type BoardStore,
  type ClearOptions,
  type RestoreOutcome,
  type RestoreRequest,
  type StoredBoard,
} from "./board-store.js";

/** A board as this store holds it: what a load gives, and what its last clear removed. */
interface MemoryBoard extends StoredBoard {
  cleared?: { seq: number; at: number; circles: StoredCircle[] };
}

/** May `host` clear the board, or undo its clear? */
const mayClear = (stored: MemoryBoard, host: string | undefined) => !stored.host?.locked || stored.host.hash === host;

/**
 * Boards in process memory, for `STORE=memory` (a throwaway board) and for
 * tests of the other layers. Nothing survives a restart. Every method finishes before it
 * returns, so writes take effect in call order by construction.
 */
export class MemoryStore implements BoardStore {
  /** A cleared board keeps its entry, and so its seq, which must never be reused. */
  readonly #boards = new Map<string, MemoryBoard>();
  #closed = false;

  async load(board: string): Promise<StoredBoard> {
    this.#assertOpen();
    const stored = this.#boards.get(board);
    // Copies both ways (here and in `add`): callers may mutate their objects.
    const loaded: StoredBoard = { seq: stored?.seq ?? 0, circles: (stored?.circles ?? []).map((circle) => ({ ...circle })) };
    if (stored?.host) loaded.host = { ...stored.host };
    return loaded;
  }

  async add(board: string, circle: StoredCircle, maxCircles: number): Promise<StoredEvent[]> {
    this.#assertOpen();
    const badCap = checkMaxCircles(maxCircles);
    if (badCap) throw badCap;
    return this.#add(this.#board(board), [circle], maxCircles);
  }

  async clear(board: string, { at = Date.now(), host }: ClearOptions = {}): Promise<StoredEvent & { type: "clear" }> {
    this.#assertOpen();
    const stored = this.#board(board);
    if (!mayClear(stored, host)) throw new BoardLockedError(board);
    const seq = ++stored.seq;
    stored.cleared = { seq, at, circles: stored.circles };
    stored.circles = [];
    return { seq, type: "clear" };
  }

  async removeOwned(board: string, id: string, owner: string): Promise<(StoredEvent & { type: "remove" }) | undefined> {
    this.#assertOpen();
    const stored = this.#boards.get(board);
    const index = stored?.circles.findIndex((circle) => circle.id === id && circle.owner === owner) ?? -1;
    if (!stored || index < 0) return undefined;
    stored.circles.splice(index, 1);
    return { seq: ++stored.seq, type: "remove", id };
  }

  async restoreCleared(board: string, { seq, since, host, maxCircles }: RestoreRequest): Promise<RestoreOutcome> {
    this.#assertOpen();
    const badCap = checkMaxCircles(maxCircles);
    if (badCap) throw badCap;
    const stored = this.#boards.get(board);
    const cleared = stored?.cleared;
    if (!stored) return { ok: false, reason: "gone" };
    if (!mayClear(stored, host)) return { ok: false, reason: "locked" };
    if (cleared?.seq !== seq) return { ok: false, reason: "gone" };
    if (cleared.at < since) return { ok: false, reason: "expired" };
    delete stored.cleared;
    return { ok: true, events: this.#add(stored, cleared.circles, maxCircles) };
  }

  async claim(board: string, hash: string): Promise<boolean> {
    this.#assertOpen();
    const stored = this.#board(board);
    if (stored.seq > 0 || stored.host) return false;
    stored.host = { hash, locked: false };
    return true;
  }

  async setLocked(board: string, hash: string, locked: boolean): Promise<boolean> {
    this.#assertOpen();
    const host = this.#boards.get(board)?.host;
    if (host?.hash !== hash) return false;
    host.locked = locked;
    return true;
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

  #board(board: string): MemoryBoard {
    let stored = this.#boards.get(board);
    if (stored === undefined) {
      stored = { seq: 0, circles: [] };
      this.#boards.set(board, stored);
    }
    return stored;
  }

  /** Appends the circles, then drops the oldest beyond the cap. */
  #add(stored: MemoryBoard, circles: readonly StoredCircle[], maxCircles: number): StoredEvent[] {
    const events: StoredEvent[] = [];
    for (const circle of circles) {
      stored.circles.push({ ...circle });
      events.push({ seq: ++stored.seq, type: "add", circle: { ...circle } });
    }
    for (const gone of stored.circles.splice(0, Math.max(0, stored.circles.length - maxCircles))) {
      events.push({ seq: ++stored.seq, type: "remove", id: gone.id });
    }
    return events;
  }
}
