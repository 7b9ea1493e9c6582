import type { RemovedPlayer, RoomRules, StoredCircle, StoredEvent } from "../protocol/events.js";
import {
  hasAuthority,
  BoardLockedError,
  checkMaxCircles,
  DEFAULT_RULES,
  DrawRefusedError,
  NOT_HOST,
  type Authority,
  type BoardStore,
  type ClearOptions,
  type RestoreOutcome,
  type RestoreRequest,
  type StoredBoard,
} from "./board-store.js";

/** A board as this store holds it: what a load gives, what its last clear removed, and when it was last used. */
interface MemoryBoard extends StoredBoard {
  rules: RoomRules;
  removed: RemovedPlayer[];
  cleared?: { seq: number; at: number; circles: StoredCircle[] };
  lastUsed: number;
}

/** May `by` clear the board, or undo its clear? */
const mayClear = (stored: MemoryBoard, by: Authority) => !stored.host?.locked || hasAuthority(stored.host.hash, by);

/** Is `by` the board's host, or the admin? An unknown board has no host. */
const isHost = (stored: MemoryBoard | undefined, by: Authority) => hasAuthority(stored?.host?.hash, by);

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
    const loaded: StoredBoard = {
      seq: stored?.seq ?? 0,
      circles: (stored?.circles ?? []).map((circle) => ({ ...circle })),
      rules: { ...(stored?.rules ?? DEFAULT_RULES) },
      removed: (stored?.removed ?? []).map((player) => ({ ...player })),
    };
    if (stored?.host) loaded.host = { ...stored.host };
    return loaded;
  }

  async add(board: string, circle: StoredCircle, maxCircles: number, by: Authority = {}): Promise<StoredEvent[]> {
    this.#assertOpen();
    const badCap = checkMaxCircles(maxCircles);
    if (badCap) throw badCap;
    const known = this.#boards.get(board);
    if (known?.removed.some((player) => player.owner === circle.owner)) throw new DrawRefusedError(board, "removed");
    if (known?.rules.draw === "host" && !isHost(known, by)) throw new DrawRefusedError(board, "paused");
    return this.#add(this.#used(board), [circle], maxCircles);
  }

  async clear(board: string, { at = Date.now(), host, admin }: ClearOptions = {}): Promise<StoredEvent & { type: "clear" }> {
    this.#assertOpen();
    const known = this.#boards.get(board);
    if (known && !mayClear(known, { host, admin })) throw new BoardLockedError(board);
    const stored = this.#used(board);
    const seq = ++stored.seq;
    stored.cleared = { seq, at, circles: stored.circles };
    stored.circles = [];
    return { seq, type: "clear" };
  }

  async removeOwned(board: string, id: string, owner: string): Promise<(StoredEvent & { type: "remove" }) | undefined> {
    this.#assertOpen();
    return this.#remove(board, id, owner);
  }

  async restoreCleared(board: string, { seq, since, maxCircles, ...by }: RestoreRequest): Promise<RestoreOutcome> {
    this.#assertOpen();
    const badCap = checkMaxCircles(maxCircles);
    if (badCap) throw badCap;
    const stored = this.#boards.get(board);
    const cleared = stored?.cleared;
    if (!stored) return { ok: false, reason: "gone" };
    if (!mayClear(stored, by)) return { ok: false, reason: "locked" };
    if (cleared?.seq !== seq) return { ok: false, reason: "gone" };
    if (cleared.at < since) return { ok: false, reason: "expired" };
    delete stored.cleared;
    return { ok: true, events: this.#add(this.#used(board), cleared.circles, maxCircles) };
  }

  async claim(board: string, hash: string): Promise<boolean> {
    this.#assertOpen();
    const known = this.#boards.get(board);
    if (known && (known.seq > 0 || known.host)) return false;
    this.#used(board).host = { hash, locked: false };
    return true;
  }

  async setLocked(board: string, hash: string, locked: boolean): Promise<boolean> {
    this.#assertOpen();
    const host = this.#boards.get(board)?.host;
    if (host?.hash !== hash) return false;
    host.locked = locked;
    this.#used(board);
    return true;
  }

  async setRules(board: string, rules: Partial<RoomRules>, by: Authority): Promise<RoomRules | typeof NOT_HOST> {
    this.#assertOpen();
    if (!isHost(this.#boards.get(board), by)) return NOT_HOST;
    const stored = this.#used(board);
    stored.rules = { draw: rules.draw ?? stored.rules.draw, chat: rules.chat ?? stored.rules.chat };
    return { ...stored.rules };
  }

  async removePlayer(board: string, player: RemovedPlayer, by: Authority): Promise<StoredEvent[] | typeof NOT_HOST> {
    this.#assertOpen();
    if (!isHost(this.#boards.get(board), by)) return NOT_HOST;
    const stored = this.#used(board);
    const { id, initials, owner } = player;
    stored.removed = [...stored.removed.filter((earlier) => earlier.owner !== owner), { id, initials, owner }];
    // So that undoing the last clear cannot bring their circles back either.
    if (stored.cleared) stored.cleared.circles = stored.cleared.circles.filter((circle) => circle.owner !== owner);
    const events: StoredEvent[] = [];
    stored.circles = stored.circles.filter((circle) => {
      if (circle.owner !== owner) return true;
      events.push({ seq: ++stored.seq, type: "remove", id: circle.id });
      return false;
    });
    return events;
  }

  async readmitPlayer(board: string, id: string, by: Authority): Promise<boolean | typeof NOT_HOST> {
    this.#assertOpen();
    const stored = this.#boards.get(board);
    if (!isHost(stored, by)) return NOT_HOST;
    const kept = stored?.removed.filter((player) => player.id !== id) ?? [];
    if (!stored || kept.length === stored.removed.length) return false;
    stored.removed = kept;
    this.#used(board);
    return true;
  }

  async removeCircle(board: string, id: string, by: Authority): Promise<(StoredEvent & { type: "remove" }) | undefined | typeof NOT_HOST> {
    this.#assertOpen();
    if (!isHost(this.#boards.get(board), by)) return NOT_HOST;
    return this.#remove(board, id);
  }

  async deleteBoard(board: string, by: Authority): Promise<true | typeof NOT_HOST> {
    this.#assertOpen();
    if (!isHost(this.#boards.get(board), by)) return NOT_HOST;
    this.#boards.delete(board);
    return true;
  }

  async touch(boards: readonly string[], at: number): Promise<void> {
    this.#assertOpen();
    for (const board of boards) {
      const stored = this.#board(board);
      stored.lastUsed = Math.max(stored.lastUsed, at);
    }
  }

  async sweep(before: number): Promise<string[]> {
    this.#assertOpen();
    const swept: string[] = [];
    for (const [board, stored] of this.#boards) {
      if (stored.lastUsed >= before) continue;
      this.#boards.delete(board);
      swept.push(board);
    }
    return swept;
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

  /** The board's entry, made (unused since ever) if it has none. */
  #board(board: string): MemoryBoard {
    let stored = this.#boards.get(board);
    if (stored === undefined) {
      stored = { seq: 0, circles: [], rules: { ...DEFAULT_RULES }, removed: [], lastUsed: 0 };
      this.#boards.set(board, stored);
    }
    return stored;
  }

  /** The board's entry, marked used now: for a write that changes it. */
  #used(board: string): MemoryBoard {
    const stored = this.#board(board);
    stored.lastUsed = Math.max(stored.lastUsed, Date.now());
    return stored;
  }

  /** Removes the circle `id` (if `owner` owns it, when given), taking the next seq; undefined, taking none, when there is no such circle. */
  #remove(board: string, id: string, owner?: string): (StoredEvent & { type: "remove" }) | undefined {
    const index = this.#boards.get(board)?.circles.findIndex((circle) => circle.id === id && (owner === undefined || circle.owner === owner)) ?? -1;
    if (index < 0) return undefined;
    const stored = this.#used(board);
    stored.circles.splice(index, 1);
    return { seq: ++stored.seq, type: "remove", id };
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
