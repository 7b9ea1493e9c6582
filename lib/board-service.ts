/**
 * The rules of a board, shared by the socket handlers and the REST API:
 * each write is rate-limited, stored durably, then announced to the board's
 * listeners, and only then reported as done.
 */
import { randomUUID } from "node:crypto";
import type { Circle, CircleInput } from "./events.js";
import type { BoardStore } from "./store/board-store.js";
import type { WriteLimiter } from "./rate-limit.js";

/** Told of every change after it is durable; `io.ts` relays them to sockets. */
export interface BoardListener {
  circleAdded(board: string, circle: Circle): void;
  circlesRemoved(board: string, ids: string[]): void;
  cleared(board: string): void;
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
}

const RATE_LIMITED: WriteFailure = { ok: false, reason: "rate-limited", error: "rate limited" };
const STOPPING: WriteFailure = { ok: false, reason: "unavailable", error: "the server is restarting: try again shortly" };

export class BoardService {
  private readonly listeners = new Set<BoardListener>();
  private readonly store: BoardStore;
  private readonly limiter: WriteLimiter;
  private readonly maxCircles: number;
  private readonly now: () => number;
  private readonly newId: () => string;
  private readonly onStoreError: (error: unknown, board: string) => void;
  private readonly onListenerError: (error: unknown, board: string) => void;
  #stopping = false;
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
  }

  subscribe(listener: BoardListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The board's circles, oldest first. */
  circles(board: string): Promise<Circle[]> {
    return this.store.load(board);
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

  addCircle(board: string, input: CircleInput, writer: Writer): Promise<WriteResult<{ circle: Circle }>> {
    return this.write(() => this.storeCircle(board, input, writer));
  }

  clear(board: string, writer: Writer): Promise<WriteResult<object>> {
    return this.write(() => this.storeClear(board, writer));
  }

  /** Counts writes under way, so that `stopWrites` knows when they are done. */
  private async write<T extends object>(work: () => Promise<WriteResult<T>>): Promise<WriteResult<T>> {
    if (this.#stopping) return STOPPING;
    this.writesUnderWay++;
    try {
      return await work();
    } finally {
      if (--this.writesUnderWay === 0) for (const resolve of this.whenIdle.splice(0)) resolve();
    }
  }

  private async storeCircle(board: string, input: CircleInput, writer: Writer): Promise<WriteResult<{ circle: Circle }>> {
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
    let dropped: string[];
    try {
      dropped = await this.store.add(board, circle, this.maxCircles);
    } catch (error) {
      return this.unavailable(error, board, "the circle could not be saved");
    }
    this.announce(board, (listener) => {
      listener.circleAdded(board, circle);
      if (dropped.length > 0) listener.circlesRemoved(board, dropped);
    });
    return { ok: true, circle };
  }

  private async storeClear(board: string, writer: Writer): Promise<WriteResult<object>> {
    if (!(await this.limiter.tryConsume(writer.key))) return RATE_LIMITED;
    try {
      await this.store.clear(board);
    } catch (error) {
      return this.unavailable(error, board, "the board could not be cleared");
    }
    this.announce(board, (listener) => listener.cleared(board));
    return { ok: true };
  }

  /** Each listener on its own: one that throws must not silence the others or undo a stored write. */
  private announce(board: string, tell: (listener: BoardListener) => void): void {
    for (const listener of this.listeners) {
      try {
        tell(listener);
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
