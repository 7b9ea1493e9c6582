import type { RemovedPlayer, RoomRules, StoredCircle, StoredEvent } from "../protocol/events.js";
import {
  hasAuthority,
  BoardLockedError,
  checkMaxCircles,
  DEFAULT_RULES,
  DrawRefusedError,
  NOT_HOST,
  tookEffect,
  type Authority,
  type BoardStore,
  type ClearOptions,
  newValueOf,
  type Once,
  type RestoreOutcome,
  type RestoreRequest,
  type StoredBoard,
} from "./board-store.js";
import { addChange, takenOutcome } from "./request-store.js";

/** A write's name as this store remembers it (see `Once`). */
interface Remembered {
  fingerprint: string;
  value: unknown;
  keepUntil: number | undefined;
}

/**
 * A board as this store holds it: what a load gives, what its last clear
 * removed, and when it was last used; and the names of its circles, those on
 * it and those its last clear removed: each add's fingerprint and change,
 * as the other stores keep them in the circle's row.
 */
interface MemoryBoard extends StoredBoard {
  rules: RoomRules;
  removed: RemovedPlayer[];
  cleared?: { seq: number; at: number; circles: StoredCircle[] };
  lastUsed: number;
  circleNames: Map<string, { fingerprint: string; value: StoredEvent[] }>;
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
  /** The names of each board's writes, apart from its entry: a deletion keeps its own. */
  readonly #names = new Map<string, Map<string, Remembered>>();
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

  async add(board: string, circle: StoredCircle, maxCircles: number, by: Authority = {}, once?: Once): Promise<StoredEvent[]> {
    this.#assertOpen();
    const badCap = checkMaxCircles(maxCircles);
    if (badCap) throw badCap;
    const name = once ?? { id: circle.id, fingerprint: "" };
    const added = this.#once(
      board,
      name,
      () => {
        const known = this.#boards.get(board);
        if (known?.removed.some((player) => player.owner === circle.owner)) return "removed";
        if (known?.rules.draw === "host" && !isHost(known, by)) return "paused";
        return this.#add(this.#used(board), [circle], maxCircles, name.fingerprint);
      },
      true,
    );
    if (typeof added === "string") throw new DrawRefusedError(board, added);
    return added;
  }

  async clear(board: string, { at = Date.now(), host, admin }: ClearOptions = {}, once?: Once): Promise<StoredEvent & { type: "clear" }> {
    this.#assertOpen();
    const cleared = this.#once(board, once, () => {
      const known = this.#boards.get(board);
      if (known && !mayClear(known, { host, admin })) return undefined;
      const stored = this.#used(board);
      const seq = ++stored.seq;
      if (stored.cleared) this.#depart(board, stored, stored.cleared.circles);
      stored.cleared = { seq, at, circles: stored.circles };
      stored.circles = [];
      return { seq, type: "clear" as const };
    });
    if (cleared === undefined) throw new BoardLockedError(board);
    return cleared;
  }

  async removeOwned(board: string, id: string, owner: string, once?: Once): Promise<(StoredEvent & { type: "remove" }) | undefined> {
    this.#assertOpen();
    return this.#once(board, once, () => this.#remove(board, id, owner));
  }

  async restoreCleared(board: string, request: RestoreRequest, once?: Once): Promise<RestoreOutcome> {
    this.#assertOpen();
    const badCap = checkMaxCircles(request.maxCircles);
    if (badCap) throw badCap;
    return this.#once(board, once, () => this.#restore(board, request));
  }

  #restore(board: string, { seq, since, maxCircles, ...by }: RestoreRequest): RestoreOutcome {
    const stored = this.#boards.get(board);
    const cleared = stored?.cleared;
    if (!stored) return { ok: false, reason: "gone" };
    if (!mayClear(stored, by)) return { ok: false, reason: "locked" };
    if (cleared?.seq !== seq) return { ok: false, reason: "gone" };
    if (cleared.at < since) return { ok: false, reason: "expired" };
    delete stored.cleared;
    return { ok: true, events: this.#add(this.#used(board), cleared.circles, maxCircles) };
  }

  async claim(board: string, hash: string, once?: Once): Promise<boolean> {
    this.#assertOpen();
    return this.#once(board, once, () => {
      const known = this.#boards.get(board);
      if (known && (known.seq > 0 || known.host)) return false;
      this.#used(board).host = { hash, locked: false };
      return true;
    });
  }

  async setLocked(board: string, hash: string, locked: boolean, once?: Once): Promise<boolean> {
    this.#assertOpen();
    return this.#once(board, once, () => {
      const host = this.#boards.get(board)?.host;
      if (host?.hash !== hash) return false;
      host.locked = locked;
      this.#used(board);
      return true;
    });
  }

  async setRules(board: string, rules: Partial<RoomRules>, by: Authority, once?: Once): Promise<RoomRules | typeof NOT_HOST> {
    this.#assertOpen();
    return this.#once(board, once, () => {
      if (!isHost(this.#boards.get(board), by)) return NOT_HOST;
      const stored = this.#used(board);
      stored.rules = { draw: rules.draw ?? stored.rules.draw, chat: rules.chat ?? stored.rules.chat };
      return { ...stored.rules };
    });
  }

  async removePlayer(board: string, player: RemovedPlayer, by: Authority, once?: Once): Promise<StoredEvent[] | typeof NOT_HOST> {
    this.#assertOpen();
    return this.#once(board, once, () => this.#removePlayer(board, player, by));
  }

  #removePlayer(board: string, player: RemovedPlayer, by: Authority): StoredEvent[] | typeof NOT_HOST {
    if (!isHost(this.#boards.get(board), by)) return NOT_HOST;
    const stored = this.#used(board);
    const { id, initials, owner } = player;
    stored.removed = [...stored.removed.filter((earlier) => earlier.owner !== owner), { id, initials, owner }];
    // So that undoing the last clear cannot bring their circles back either.
    if (stored.cleared) {
      this.#depart(
        board,
        stored,
        stored.cleared.circles.filter((circle) => circle.owner === owner),
      );
      stored.cleared.circles = stored.cleared.circles.filter((circle) => circle.owner !== owner);
    }
    const gone = stored.circles.filter((circle) => circle.owner === owner);
    this.#depart(board, stored, gone);
    stored.circles = stored.circles.filter((circle) => circle.owner !== owner);
    return gone.map((circle) => ({ seq: ++stored.seq, type: "remove", id: circle.id }));
  }

  async readmitPlayer(board: string, id: string, by: Authority, once?: Once): Promise<boolean | typeof NOT_HOST> {
    this.#assertOpen();
    return this.#once(board, once, () => {
      const stored = this.#boards.get(board);
      if (!isHost(stored, by)) return NOT_HOST;
      const kept = stored?.removed.filter((player) => player.id !== id) ?? [];
      if (!stored || kept.length === stored.removed.length) return false;
      stored.removed = kept;
      this.#used(board);
      return true;
    });
  }

  async removeCircle(
    board: string,
    id: string,
    by: Authority,
    once?: Once,
  ): Promise<(StoredEvent & { type: "remove" }) | undefined | typeof NOT_HOST> {
    this.#assertOpen();
    return this.#once(board, once, () => (isHost(this.#boards.get(board), by) ? this.#remove(board, id) : NOT_HOST));
  }

  async deleteBoard(board: string, by: Authority, once?: Once): Promise<true | typeof NOT_HOST> {
    this.#assertOpen();
    return this.#once(board, once, () => {
      if (!isHost(this.#boards.get(board), by)) return NOT_HOST;
      this.#boards.delete(board);
      this.#names.delete(board);
      return true;
    });
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
      this.#names.delete(board);
      swept.push(board);
    }
    const now = Date.now();
    for (const names of this.#names.values()) {
      for (const [id, name] of names) if (name.keepUntil !== undefined && name.keepUntil < now) names.delete(id);
    }
    return swept;
  }

  async ping(): Promise<void> {
    this.#assertOpen();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#boards.clear();
    this.#names.clear();
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error("store is closed");
  }

  /**
   * Runs a write under its name (see `Once`): not at all when the name was
   * taken, and remembered under it when it took effect (an add's by `#add`,
   * with its circle). Copies the value kept, as the other stores keep it serialised.
   */
  #once<T>(board: string, once: Once | undefined, write: () => T, isAdd = false): T {
    if (once === undefined) return write();
    const known = this.#boards.get(board)?.circleNames.get(once.id) ?? this.#names.get(board)?.get(once.id);
    const taken = takenOutcome(once, known && { fingerprint: known.fingerprint, value: structuredClone(known.value) });
    if (taken) return newValueOf(board, once, taken) as T;
    const value = write();
    if (!isAdd && tookEffect(value))
      this.#remember(board, once.id, { fingerprint: once.fingerprint, value: structuredClone(value), keepUntil: once.keepUntil });
    return value;
  }

  #remember(board: string, id: string, name: Remembered): void {
    let names = this.#names.get(board);
    if (names === undefined) this.#names.set(board, (names = new Map()));
    names.set(id, name);
  }

  /** Circles gone for good (not by the cap): their names move here, so that their ids stay taken. */
  #depart(board: string, stored: MemoryBoard, circles: readonly StoredCircle[]): void {
    for (const { id } of circles) {
      const name = stored.circleNames.get(id);
      stored.circleNames.delete(id);
      if (name) this.#remember(board, id, { ...name, keepUntil: undefined });
    }
  }

  /** The board's entry, made (unused since ever) if it has none. */
  #board(board: string): MemoryBoard {
    let stored = this.#boards.get(board);
    if (stored === undefined) {
      stored = { seq: 0, circles: [], rules: { ...DEFAULT_RULES }, removed: [], lastUsed: 0, circleNames: new Map() };
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
    this.#depart(board, stored, stored.circles.splice(index, 1));
    return { seq: ++stored.seq, type: "remove", id };
  }

  /**
   * Appends the circles, then drops the oldest beyond the cap, forgetting
   * their names. An add's circle is named by its `fingerprint`; restored
   * ones (none given) keep the names they had.
   */
  #add(stored: MemoryBoard, circles: readonly StoredCircle[], maxCircles: number, fingerprint?: string): StoredEvent[] {
    const events: StoredEvent[] = [];
    for (const circle of circles) {
      stored.circles.push({ ...circle });
      const seq = ++stored.seq;
      if (fingerprint !== undefined) stored.circleNames.set(circle.id, { fingerprint, value: addChange({ ...circle }, seq) });
      events.push({ seq, type: "add", circle: { ...circle } });
    }
    for (const gone of stored.circles.splice(0, Math.max(0, stored.circles.length - maxCircles))) {
      stored.circleNames.delete(gone.id);
      events.push({ seq: ++stored.seq, type: "remove", id: gone.id });
    }
    return events;
  }
}
