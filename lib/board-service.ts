/**
 * The rules of a board, shared by the socket handlers and the REST API:
 * each write is rate-limited, stored durably (the store gives it its seq),
 * applied to the board's live copy and announced to the listeners in seq
 * order, and only then reported as done.
 *
 * Boards that someone is looking at are kept live in memory (`open` /
 * `release`), plus a few recently read ones, so that joining, reading and
 * resuming cost no store round trip.
 */
import { randomUUID } from "node:crypto";
import type { BoardEvent, Circle, CircleInput } from "./events.js";
import { LiveBoard } from "./live-board.js";
import type { BoardStore } from "./store/board-store.js";
import type { WriteLimiter } from "./rate-limit.js";

/** Told of every change after it is durable, in seq order per board; `io.ts` relays them to sockets. */
export interface BoardListener {
  changed(board: string, events: readonly BoardEvent[]): void;
  /** The live board was caught up from the store (a change never arrived): its clients need the whole board. */
  replaced?(board: string, live: LiveBoard): void;
}

/**
 * How long a change may wait for a missing predecessor (another node's,
 * normally a few milliseconds behind through Redis) before the board is
 * caught up from the store instead.
 */
export const GAP_WAIT_MS = 1_000;

/** Boards nobody holds open that stay live anyway, for REST readers and quick returns. */
const IDLE_BOARDS_KEPT = 16;

interface LiveEntry {
  /** Holders: sockets on the board, readers under way. */
  holders: number;
  /** Set while the board waits for a missing change; fires the catch-up from the store. */
  gapTimer?: ReturnType<typeof setTimeout> | undefined;
  loading: Promise<LiveBoard>;
  live: LiveBoard | undefined;
  /** Changes stored while the board was loading; the load may or may not reflect them. */
  early: BoardEvent[];
  /** Told the moment the board is live, before any later change is applied. */
  onLive: ((live: LiveBoard) => void)[];
}

/** Who is writing: `key` identifies the sender for rate limiting. */
export interface Writer {
  key: string;
  /** A registered player's initials, which win over the payload's. */
  initials?: string | undefined;
}

export type WriteFailure = { ok: false; reason: "rate-limited" | "unavailable"; error: string };
export type WriteResult<T extends object> = ({ ok: true } & T) | WriteFailure;

export interface BoardServiceOptions {
  store: BoardStore;
  limiter: WriteLimiter;
  maxCircles: number;
  now?: () => number;
  newId?: () => string;
  /** Told of store failures, which clients see only as "unavailable". */
  onStoreError?: (error: unknown, board: string) => void;
  /** Told of a listener that threw; the write stays stored and reported as done. */
  onListenerError?: (error: unknown, board: string) => void;
  /** GAP_WAIT_MS unless a test says otherwise. */
  gapWaitMs?: number;
  /**
   * Why writes cannot be taken now, or undefined when they can: with
   * several nodes, a node that cannot reach the others refuses writes
   * rather than store changes they would not hear of.
   */
  writesRefused?: () => string | undefined;
}

const RATE_LIMITED: WriteFailure = { ok: false, reason: "rate-limited", error: "rate limited" };
const STOPPING: WriteFailure = { ok: false, reason: "unavailable", error: "the server is restarting: try again shortly" };

export class BoardService {
  private readonly listeners = new Set<BoardListener>();
  private readonly ownWrites = new Set<BoardListener>();
  private readonly store: BoardStore;
  private readonly limiter: WriteLimiter;
  private readonly maxCircles: number;
  private readonly now: () => number;
  private readonly newId: () => string;
  private readonly onStoreError: (error: unknown, board: string) => void;
  private readonly onListenerError: (error: unknown, board: string) => void;
  private readonly gapWaitMs: number;
  private readonly writesRefused: () => string | undefined;
  #stopping = false;
  private readonly live = new Map<string, LiveEntry>();
  private writesUnderWay = 0;
  private readonly whenIdle: (() => void)[] = [];

  constructor(options: BoardServiceOptions) {
    this.store = options.store;
    this.limiter = options.limiter;
    this.maxCircles = options.maxCircles;
    this.now = options.now ?? Date.now;
    this.newId = options.newId ?? randomUUID;
    this.onStoreError = options.onStoreError ?? (() => {});
    this.onListenerError = options.onListenerError ?? (() => {});
    this.gapWaitMs = options.gapWaitMs ?? GAP_WAIT_MS;
    this.writesRefused = options.writesRefused ?? (() => undefined);
  }

  subscribe(listener: BoardListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Told only of the changes this node's own writes stored, as the store returned them: for the other nodes. */
  subscribeOwnWrites(listener: BoardListener): () => void {
    this.ownWrites.add(listener);
    return () => this.ownWrites.delete(listener);
  }

  /**
   * Changes another node stored in the shared store. A board live here takes
   * them like its own, in seq order whatever order they arrive in, and the
   * listeners are told; a board loading here takes them once loaded; a board
   * not live here will read them from the store when it is opened.
   */
  applyRemote(board: string, events: readonly BoardEvent[]): void {
    const entry = this.live.get(board);
    if (!entry) return;
    if (entry.live) {
      this.tell(board, entry.live.apply(events), this.listeners);
      return this.watchForGap(board, entry);
    }
    entry.early.push(...events);
  }

  /** A live board waiting for a missing change gets GAP_WAIT_MS for it to arrive, then is read from the store. */
  private watchForGap(board: string, entry: LiveEntry): void {
    if (!entry.live?.waiting || entry.gapTimer) return;
    entry.gapTimer = setTimeout(() => {
      entry.gapTimer = undefined;
      if (this.live.get(board) !== entry || !entry.live?.waiting) return;
      this.store.load(board).then(
        (stored) => {
          const live = entry.live;
          if (this.live.get(board) !== entry || !live?.waiting) return;
          const replaced = live.replace(stored);
          // Still waiting (the store was not ahead yet, or changes beyond it miss one too): wait again.
          this.watchForGap(board, entry);
          if (!replaced) return;
          for (const listener of this.listeners) {
            try {
              listener.replaced?.(board, live);
            } catch (error) {
              this.onListenerError(error, board);
            }
          }
        },
        (error: unknown) => {
          this.onStoreError(error, board);
          this.watchForGap(board, entry);
        },
      );
    }, this.gapWaitMs);
    entry.gapTimer.unref();
  }

  /**
   * Hold the board live until `release`: resolves with it once loaded. A
   * failed load is not kept, so the next `open` tries again. `onLive` is
   * called as soon as the board is live (at once when it already is), in the
   * same turn as its load, so that no change can be applied in between: what
   * it does with the board (send a snapshot, join a room) sees exactly the
   * changes announced before it, and hears every one after.
   */
  open(board: string, onLive?: (live: LiveBoard) => void): Promise<LiveBoard> {
    let entry = this.live.get(board);
    if (entry) {
      // Most recently used last, for the eviction of idle boards.
      this.live.delete(board);
      this.live.set(board, entry);
      if (onLive) {
        if (entry.live) onLive(entry.live);
        else entry.onLive.push(onLive);
      }
    } else {
      const early: BoardEvent[] = [];
      const waiting: ((live: LiveBoard) => void)[] = onLive ? [onLive] : [];
      const loading: Promise<LiveBoard> = this.store.load(board).then(
        (stored) => {
          const live = new LiveBoard(board, stored);
          const current = this.live.get(board);
          if (current?.loading === loading) current.live = live;
          // Already told; the live copy takes those the load does not reflect.
          live.apply(early.splice(0));
          if (current?.loading === loading) this.watchForGap(board, current);
          for (const tell of waiting.splice(0)) {
            try {
              tell(live);
            } catch (error) {
              this.onListenerError(error, board);
            }
          }
          return live;
        },
        (error: unknown) => {
          if (this.live.get(board)?.loading === loading) this.live.delete(board);
          throw error;
        },
      );
      entry = { holders: 0, live: undefined, early, onLive: waiting, loading };
      this.live.set(board, entry);
    }
    entry.holders++;
    return entry.loading;
  }

  /** Let go of a board `open` held; it may stay live a while among the idle ones. */
  release(board: string): void {
    const entry = this.live.get(board);
    if (!entry || entry.holders === 0) return;
    entry.holders--;
    let idle = 0;
    for (const [name, other] of [...this.live].reverse()) {
      if (other.holders > 0 || other.live === undefined) continue;
      if (++idle > IDLE_BOARDS_KEPT) this.live.delete(name);
    }
  }

  /** The board's live copy, when it is loaded. */
  peek(board: string): LiveBoard | undefined {
    return this.live.get(board)?.live;
  }

  /** The board, read without holding it. */
  async read(board: string): Promise<LiveBoard> {
    try {
      return await this.open(board);
    } finally {
      this.release(board);
    }
  }

  /** True once a shutdown has begun. */
  get stopping(): boolean {
    return this.#stopping;
  }

  /**
   * Refuse new writes from now on (a shutdown has begun); resolves once every
   * write already under way is stored and announced.
   */
  async stopWrites(): Promise<void> {
    this.#stopping = true;
    if (this.writesUnderWay > 0) await new Promise<void>((resolve) => this.whenIdle.push(resolve));
  }

  addCircle(board: string, input: CircleInput, writer: Writer): Promise<WriteResult<{ circle: Circle; seq: number }>> {
    return this.write(() => this.storeCircle(board, input, writer));
  }

  clear(board: string, writer: Writer): Promise<WriteResult<{ seq: number }>> {
    return this.write(() => this.storeClear(board, writer));
  }

  /** Counts writes under way, so that `stopWrites` knows when they are done. */
  private async write<T extends object>(work: () => Promise<WriteResult<T>>): Promise<WriteResult<T>> {
    if (this.#stopping) return STOPPING;
    const refused = this.writesRefused();
    if (refused !== undefined) return { ok: false, reason: "unavailable", error: refused };
    this.writesUnderWay++;
    try {
      return await work();
    } finally {
      if (--this.writesUnderWay === 0) for (const resolve of this.whenIdle.splice(0)) resolve();
    }
  }

  private async storeCircle(board: string, input: CircleInput, writer: Writer): Promise<WriteResult<{ circle: Circle; seq: number }>> {
    if (!(await this.limiter.tryConsume(writer.key))) return RATE_LIMITED;
    const circle: Circle = {
      id: this.newId(),
      initials: writer.initials ?? input.initials,
      x: input.x,
      y: input.y,
      dia: input.dia,
      rgba: input.rgba,
      createdAt: this.now(),
    };
    let events: BoardEvent[];
    try {
      events = await this.store.add(board, circle, this.maxCircles);
    } catch (error) {
      return this.unavailable(error, board, "the circle could not be saved");
    }
    this.stored(board, events);
    return { ok: true, circle, seq: events[0]?.seq ?? 0 };
  }

  private async storeClear(board: string, writer: Writer): Promise<WriteResult<{ seq: number }>> {
    if (!(await this.limiter.tryConsume(writer.key))) return RATE_LIMITED;
    let event: BoardEvent;
    try {
      event = await this.store.clear(board);
    } catch (error) {
      return this.unavailable(error, board, "the board could not be cleared");
    }
    this.stored(board, [event]);
    return { ok: true, seq: event.seq };
  }

  /** A write is durable: bring the live copy up to date, then tell the listeners what took effect. */
  private stored(board: string, events: BoardEvent[]): void {
    this.tell(board, events, this.ownWrites);
    const entry = this.live.get(board);
    if (!entry) return this.tell(board, events, this.listeners);
    if (entry.live) {
      this.tell(board, entry.live.apply(events), this.listeners);
      return this.watchForGap(board, entry);
    }
    // Loading: the store settles in call order, so these come in seq order anyway.
    entry.early.push(...events);
    this.tell(board, events, this.listeners);
  }

  /** Each listener on its own: one that throws must not silence the others or undo a stored write. */
  private tell(board: string, events: readonly BoardEvent[], listeners: Set<BoardListener>): void {
    if (events.length === 0) return;
    for (const listener of listeners) {
      try {
        listener.changed(board, events);
      } catch (error) {
        this.onListenerError(error, board);
      }
    }
  }

  private unavailable(error: unknown, board: string, message: string): WriteFailure {
    this.onStoreError(error, board);
    return { ok: false, reason: "unavailable", error: message };
  }
}
