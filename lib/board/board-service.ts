/**
 * The rules of a board, shared by the socket handlers and the REST API:
 * each write is rate-limited, stored durably (the store gives it its seq),
 * applied to the board's live copy and announced to the listeners in seq
 * order, and only then reported as done.
 *
 * Boards that someone is looking at are kept live in memory (`open` /
 * `release`), plus a few recently read ones, so that joining, reading and
 * resuming cost no store round trip.
 *
 * Taking changes back (`undoCircle`, `undoClear`) and a board's host
 * (`claim`, `setLocked`) follow the rules in `undo-and-host.ts`; the room's
 * rules, removing players and deleting boards those in `room-rules.ts`: the
 * store has the last word on each, so that they hold across nodes.
 */
import { randomUUID } from "node:crypto";
import type {
  BoardEvent,
  BoardHost,
  BoardNotice,
  BoardRules,
  Circle,
  CircleRequest,
  Refusal,
  RemovedPlayer,
  RoomRules,
  StoredCircle,
  StoredEvent,
} from "../protocol/events.js";
import { LiveBoard } from "./live-board.js";
import {
  AlreadyAppliedError,
  BoardLockedError,
  DrawRefusedError,
  NOT_HOST,
  OperationConflictError,
  type Authority,
  type BoardStore,
  type Once,
  type RestoreOutcome,
} from "../store/board-store.js";
import { circleName, NAME_CONFLICT, operationName } from "./named-writes.js";
import type { WriteLimiter } from "../limits/rate-limit.js";
import { CLAIM_ERRORS, RESTORE_ERRORS, UNDO_CLEAR_MS, UNDO_ERRORS, LOCK_ERRORS } from "./undo-and-host.js";
import { allowed, boardRules, hasHostPowers, ROOM_ERRORS } from "./room-rules.js";

/** Told of every change after it is durable, in seq order per board; `socket/relay/fanout.ts` relays them to sockets. */
export interface BoardListener {
  changed(board: string, events: readonly BoardEvent[]): void;
  /** The live board was caught up from the store (a change never arrived): its clients need the whole board. */
  replaced?(board: string, live: LiveBoard): void;
  /** Someone cleared the board, or its host settings changed (here or, for a board live here, on another node). */
  noticed?(board: string, notice: BoardNotice): void;
}

/** Told of what this node's own writes stored, as the store returned it (owners included): for the other nodes. */
export interface OwnWritesListener {
  changed(board: string, events: readonly StoredEvent[]): void;
  noticed?(board: string, notice: BoardNotice): void;
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
  early: StoredEvent[];
  /** Host settings, rules and removals heard of while the board was loading, oldest first. */
  earlyNotices: BoardNotice[];
  /** Told the moment the board is live, before any later change is applied. */
  onLive: ((live: LiveBoard) => void)[];
}

/** Who is writing: `key` identifies the sender for rate limiting. */
export interface Writer {
  key: string;
  /** A registered player's initials, which win over the payload's. */
  initials?: string | undefined;
  /** The hash of the writer's player key: the owner of the circles they add, who may undo them. */
  owner?: string | undefined;
  /** The hash of the writer's host key for this board. */
  host?: string | undefined;
  /** The writer holds the operator's admin key: the host's powers on every board. */
  admin?: boolean | undefined;
}

/** The writer as the store checks a host's action. */
const authorityOf = (writer: Writer): Authority => ({ host: writer.host, admin: writer.admin === true });

/**
 * A refusal and its code (see `ErrorCode`): `refused`, against the board's
 * rules (not yours, too late, locked...), the error says which; `conflict`,
 * the write's id named another write before.
 */
export type WriteFailure = Refusal & { code: "rate-limited" | "unavailable" | "refused" | "conflict" };
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
  /** How long a clear can be undone: UNDO_CLEAR_MS unless a test says otherwise. */
  undoClearMs?: number;
}

const RATE_LIMITED: WriteFailure = { ok: false, code: "rate-limited", error: "rate limited" };
const STOPPING: WriteFailure = { ok: false, code: "unavailable", error: "the server is restarting: try again shortly" };
const LOADING: WriteFailure = { ok: false, code: "unavailable", error: "the board is still loading: try again shortly" };
const CONFLICT: WriteFailure = { ok: false, code: "conflict", error: NAME_CONFLICT };
const refused = (error: string): WriteFailure => ({ ok: false, code: "refused", error });

/** An add's answer, from the changes the store made for it (the add first). */
function addAnswer(events: StoredEvent[]): WriteResult<{ circle: Circle; seq: number }> {
  const added = events[0] && forClients(events[0]);
  if (added?.type !== "add") throw new Error("an add's changes begin with the add");
  return { ok: true, circle: added.circle, seq: added.seq };
}

/** An undo's answer: the removal's seq, and which circle went. */
const removeAnswer = ({ seq, id }: StoredEvent & { type: "remove" }): WriteResult<{ seq: number; id: string }> => ({ ok: true, seq, id });

/** An undone clear's answer: the seq of the last circle back (a clear that removed nothing brings nothing back). */
function restoreAnswer(events: StoredEvent[]): WriteResult<{ seq: number }> {
  const last = events.at(-1);
  return last === undefined ? refused(RESTORE_ERRORS.empty) : { ok: true, seq: last.seq };
}

export class BoardService {
  private readonly listeners = new Set<BoardListener>();
  private readonly ownWrites = new Set<OwnWritesListener>();
  private readonly store: BoardStore;
  private readonly limiter: WriteLimiter;
  private readonly maxCircles: number;
  private readonly now: () => number;
  private readonly newId: () => string;
  private readonly onStoreError: (error: unknown, board: string) => void;
  private readonly onListenerError: (error: unknown, board: string) => void;
  private readonly gapWaitMs: number;
  private readonly undoClearMs: number;
  /** Circles being undone now, so that a second undo right after picks the next one. */
  private readonly undoing = new Set<string>();
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
    this.undoClearMs = options.undoClearMs ?? UNDO_CLEAR_MS;
  }

  subscribe(listener: BoardListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Told only of the changes this node's own writes stored, as the store returned them: for the other nodes. */
  subscribeOwnWrites(listener: OwnWritesListener): () => void {
    this.ownWrites.add(listener);
    return () => this.ownWrites.delete(listener);
  }

  /**
   * Changes another node stored in the shared store. A board live here takes
   * them like its own, in seq order whatever order they arrive in, and the
   * listeners are told; a board loading here takes them once loaded; a board
   * not live here will read them from the store when it is opened.
   */
  applyRemote(board: string, events: readonly StoredEvent[]): void {
    const entry = this.live.get(board);
    if (!entry) return;
    if (entry.live) {
      this.tell(board, entry.live.apply(events), this.listeners);
      return this.watchForGap(board, entry);
    }
    entry.early.push(...events);
  }

  /** What another node heard of a board live here: its host settings are taken, and the listeners told. */
  applyRemoteNotice(board: string, notice: BoardNotice): void {
    const entry = this.live.get(board);
    if (!entry) return;
    this.take(entry, notice);
    this.tellNotice(board, notice, this.listeners);
    if (notice.type === "deleted") this.forget(board);
  }

  /**
   * Every live board is read again from the store, and those it is ahead of
   * take its state: after a Redis outage, when other nodes' announcements may
   * have been lost with no later change to show the gap.
   */
  catchUp(): void {
    for (const [board, entry] of this.live) if (entry.live) this.reload(board, entry, false);
  }

  /** A live board waiting for a missing change gets GAP_WAIT_MS for it to arrive, then is read from the store. */
  private watchForGap(board: string, entry: LiveEntry): void {
    if (!entry.live?.waiting || entry.gapTimer) return;
    entry.gapTimer = setTimeout(() => {
      entry.gapTimer = undefined;
      if (this.live.get(board) !== entry || !entry.live?.waiting) return;
      this.reload(board, entry, true);
    }, this.gapWaitMs);
    entry.gapTimer.unref();
  }

  /** Reads the board from the store and takes it if the store is ahead; `gap`: it is waiting for a missing change. */
  private reload(board: string, entry: LiveEntry, gap: boolean): void {
    // Changes keep arriving while the store is read, and may be newer than what it reads: only a store
    // behind what the copy held when the read began has gone back.
    const heldSeq = entry.live?.seq ?? -1;
    this.store.load(board).then(
      (stored) => {
        const live = entry.live;
        if (this.live.get(board) !== entry || !live || (gap && !live.waiting)) return;
        // Seqs only go back when a board is deleted: its notice was lost, and it goes here too.
        if (stored.seq < heldSeq) {
          this.tellNotice(board, { type: "deleted" }, this.listeners);
          return this.forget(board);
        }
        const before = { host: live.host, rules: live.rules, removed: live.removed };
        const replaced = live.replace(stored);
        // Settings take no seq: the store's are the truth even when its circles are not ahead.
        if (!replaced) live.takeSettings(stored);
        // Still waiting (the store was not ahead yet, or changes beyond it miss one too): wait again.
        this.watchForGap(board, entry);
        if (replaced) {
          for (const listener of this.listeners) {
            try {
              listener.replaced?.(board, live);
            } catch (error) {
              this.onListenerError(error, board);
            }
          }
        }
        // Notices lost on their way: told now, so that this node's sockets follow.
        if (live.host && !sameHost(before.host, live.host)) this.tellNotice(board, { type: "host", host: live.host }, this.listeners);
        if (live.rules.draw !== before.rules.draw || live.rules.chat !== before.rules.chat) {
          this.tellNotice(board, { type: "rules", rules: live.rules }, this.listeners);
        }
        for (const player of live.removed) {
          if (!before.removed.some((known) => known.owner === player.owner)) this.tellNotice(board, { type: "removed", player }, this.listeners);
        }
      },
      (error: unknown) => {
        this.onStoreError(error, board);
        this.watchForGap(board, entry);
      },
    );
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
      const early: StoredEvent[] = [];
      const waiting: ((live: LiveBoard) => void)[] = onLive ? [onLive] : [];
      const loading: Promise<LiveBoard> = this.store.load(board).then(
        (stored) => {
          const live = new LiveBoard(board, stored);
          const current = this.live.get(board);
          if (current?.loading === loading) {
            current.live = live;
            // Heard of after the load was asked for, so no older than what it read.
            for (const notice of current.earlyNotices.splice(0)) takeNotice(live, notice);
          }
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
      entry = { holders: 0, live: undefined, early, earlyNotices: [], onLive: waiting, loading };
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

  /** Draw a circle; `input.id`, the client's, names it, so that the same add sent again stores nothing and is answered as the first. */
  addCircle(board: string, input: CircleRequest, writer: Writer): Promise<WriteResult<{ circle: Circle; seq: number }>> {
    return this.write(() => this.storeCircle(board, input, writer));
  }

  /** Refused on a locked board but for its host. The listeners hear who cleared it, for undoing it. */
  clear(board: string, writer: Writer, op?: string): Promise<WriteResult<{ seq: number }>> {
    return this.write(() => this.storeClear(board, writer, op));
  }

  /** Remove the writer's newest circle, or the one `id` names if it is theirs. */
  undoCircle(board: string, writer: Writer, id?: string, op?: string): Promise<WriteResult<{ seq: number; id: string }>> {
    return this.write(() => this.storeUndoCircle(board, writer, id, op));
  }

  /** Bring back what the clear of `seq` removed, within `undoClearMs` of it (see `BoardStore.restoreCleared`). */
  undoClear(board: string, writer: Writer, seq: number, op?: string): Promise<WriteResult<{ seq: number }>> {
    return this.write(() => this.storeUndoClear(board, writer, seq, op));
  }

  /** Make the writer (its host key) the host of a board nobody has used yet. */
  claim(board: string, writer: Writer, op?: string): Promise<WriteResult<object>> {
    return this.write(() => this.storeClaim(board, writer, op));
  }

  /** The host only: lock the board, so that only the host may clear it, or unlock it. */
  setLocked(board: string, writer: Writer, locked: boolean, op?: string): Promise<WriteResult<{ locked: boolean }>> {
    return this.write(() => this.storeLocked(board, writer, locked, op));
  }

  /** The board's whole rules for `board-rules`, as the live copy knows them; undefined while it is not live. */
  rulesOf(board: string): BoardRules | undefined {
    const live = this.peek(board);
    return live && boardRules(live.rules, live.host);
  }

  /** Whether the writer has the host's powers on the board, as its live copy knows; false while it is not live. */
  isHost(board: string, writer: Pick<Writer, "host" | "admin">): boolean {
    const live = this.peek(board);
    return live !== undefined && hasHostPowers(live.host, writer);
  }

  /** The host only: who may draw and who may chat. */
  setRules(board: string, writer: Writer, rules: Partial<RoomRules>, op?: string): Promise<WriteResult<{ rules: BoardRules }>> {
    return this.write(() => this.storeRules(board, writer, rules, op));
  }

  /**
   * The host only: keep the player out of the board and remove every circle
   * they drew on it; the listeners hear of each removal, then the notice
   * that disconnects the player's sockets on every node.
   */
  removePlayer(board: string, writer: Writer, player: RemovedPlayer, op?: string): Promise<WriteResult<{ removed: number }>> {
    return this.write(() => this.storeRemovePlayer(board, writer, player, op));
  }

  /** The host only: let a removed player back. */
  readmitPlayer(board: string, writer: Writer, id: string, op?: string): Promise<WriteResult<object>> {
    return this.write(() => this.storeReadmit(board, writer, id, op));
  }

  /** The host only: delete the board; the listeners hear `deleted` and its sockets are sent away. */
  deleteBoard(board: string, writer: Writer, op?: string): Promise<WriteResult<object>> {
    return this.write(() => this.storeDelete(board, writer, op));
  }

  /**
   * The retention sweep: marks `inUse` (boards people are on) used now, then
   * deletes every board unused since `before`, each heard of as `deleted`
   * as if its host had deleted it, and forgets the writes' names whose time
   * is up. Resolves with the boards' names.
   */
  async sweep(before: number, inUse: readonly string[]): Promise<string[]> {
    await this.store.touch(inUse, this.now());
    const gone = await this.store.sweep(before);
    for (const board of gone) {
      this.noticed(board, { type: "deleted", expired: true });
      this.forget(board);
    }
    return gone;
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

  /**
   * What a store call that threw means for its writer: a named write made
   * before is answered as it was then (`replay`, from the store's answer
   * then), a name taken by another write is a conflict, anything else means
   * the store is unavailable.
   */
  private failed<T extends object>(error: unknown, board: string, message: string, replay: (value: unknown) => WriteResult<T>): WriteResult<T> {
    if (error instanceof AlreadyAppliedError) {
      const answer = replay(error.value);
      if ("seq" in answer && typeof answer.seq === "number") this.catchUpTo(board, answer.seq);
      return answer;
    }
    if (error instanceof OperationConflictError) return CONFLICT;
    return this.unavailable(error, board, message);
  }

  /**
   * A retry's first answer names a seq the live copy has not reached: the
   * change was made on a node whose announcement never came (it died after
   * its commit, or lost Redis), and no later change shows the gap. Read the
   * board from the store.
   */
  private catchUpTo(board: string, seq: number): void {
    const entry = this.live.get(board);
    if (entry?.live && entry.live.seq < seq) this.reload(board, entry, false);
  }

  private async storeCircle(board: string, input: CircleRequest, writer: Writer): Promise<WriteResult<{ circle: Circle; seq: number }>> {
    if (!(await this.limiter.tryConsume(writer.key))) return RATE_LIMITED;
    const circle: Circle = {
      id: input.id ?? this.newId(),
      initials: writer.initials ?? input.initials,
      x: input.x,
      y: input.y,
      dia: input.dia,
      rgba: input.rgba,
      createdAt: this.now(),
    };
    const stored: StoredCircle = writer.owner === undefined ? circle : { ...circle, owner: writer.owner };
    // The live copy answers most refusals without a write; the store decides the rest, and a retry's.
    const live = input.id === undefined ? this.peek(board) : undefined;
    if (live?.isRemoved(writer.owner)) return refused(ROOM_ERRORS.removed);
    if (live && !allowed(live.rules.draw, live.host, writer)) return refused(ROOM_ERRORS.drawPaused);
    let events: StoredEvent[];
    try {
      events = await this.store.add(board, stored, this.maxCircles, authorityOf(writer), circleName(circle.id, input));
    } catch (error) {
      if (error instanceof DrawRefusedError) {
        this.refreshRoom(board);
        return refused(error.reason === "paused" ? ROOM_ERRORS.drawPaused : ROOM_ERRORS.removed);
      }
      return this.failed(error, board, "the circle could not be saved", (first) => addAnswer(first as StoredEvent[]));
    }
    this.stored(board, events);
    return addAnswer(events);
  }

  private async storeClear(board: string, writer: Writer, op: string | undefined): Promise<WriteResult<{ seq: number }>> {
    if (!(await this.limiter.tryConsume(writer.key))) return RATE_LIMITED;
    let event: StoredEvent;
    const at = this.now();
    try {
      event = await this.store.clear(board, { at, ...authorityOf(writer) }, operationName(op, { kind: "clear" }, at));
    } catch (error) {
      if (error instanceof BoardLockedError) {
        this.refreshHost(board);
        return refused(LOCK_ERRORS.locked);
      }
      return this.failed(error, board, "the board could not be cleared", (first) => ({ ok: true, seq: (first as StoredEvent).seq }));
    }
    this.stored(board, [event]);
    this.noticed(board, { type: "cleared", seq: event.seq, by: writer.initials ?? null, undoMs: this.undoClearMs });
    return { ok: true, seq: event.seq };
  }

  private async storeUndoCircle(
    board: string,
    writer: Writer,
    id: string | undefined,
    op: string | undefined,
  ): Promise<WriteResult<{ seq: number; id: string }>> {
    const { owner } = writer;
    if (id !== undefined && this.isHost(board, writer) && this.peek(board)?.ownerOf(id) !== owner)
      return this.storeRemoveCircle(board, writer, id, op);
    if (owner === undefined) return refused(UNDO_ERRORS.noKey);
    if (!(await this.limiter.tryConsume(writer.key))) return RATE_LIMITED;
    const live = this.peek(board);
    if (!live) return LOADING;
    const target = id ?? live.newestOf(owner, this.undoing);
    const whyNot =
      target === undefined || this.undoing.has(target)
        ? UNDO_ERRORS.nothing
        : id !== undefined && !live.has(id)
          ? UNDO_ERRORS.noSuchCircle
          : live.ownerOf(target) !== owner
            ? UNDO_ERRORS.notYours
            : undefined;
    const once = operationName(op, { kind: "undo-circle", id }, this.now());
    // Refused here unless named: a retry of an undo made before is answered by the store, which knows its name.
    if (whyNot !== undefined && once === undefined) return refused(whyNot);
    const removing = whyNot === undefined ? target : undefined;
    if (removing !== undefined) this.undoing.add(removing);
    let event: StoredEvent | undefined;
    try {
      // Nothing the owner owns has the empty id: the store then checks the name only.
      event = await this.store.removeOwned(board, removing ?? "", owner, once);
    } catch (error) {
      return this.failed(error, board, "the circle could not be removed", (first) => removeAnswer(first as StoredEvent & { type: "remove" }));
    } finally {
      if (removing !== undefined) this.undoing.delete(removing);
    }
    if (whyNot !== undefined) return refused(whyNot);
    // Gone meanwhile: cleared, or undone on another node.
    if (event === undefined) return refused(UNDO_ERRORS.nothing);
    this.stored(board, [event]);
    return removeAnswer(event as StoredEvent & { type: "remove" });
  }

  /** The host removes someone else's circle (or one nobody owns). */
  private async storeRemoveCircle(
    board: string,
    writer: Writer,
    id: string,
    op: string | undefined,
  ): Promise<WriteResult<{ seq: number; id: string }>> {
    if (!(await this.limiter.tryConsume(writer.key))) return RATE_LIMITED;
    const once = operationName(op, { kind: "undo-circle", id }, this.now());
    if (once === undefined && !this.peek(board)?.has(id)) return refused(UNDO_ERRORS.noSuchCircle);
    let event: Awaited<ReturnType<BoardStore["removeCircle"]>>;
    try {
      event = await this.store.removeCircle(board, id, authorityOf(writer), once);
    } catch (error) {
      return this.failed(error, board, "the circle could not be removed", (first) => removeAnswer(first as StoredEvent & { type: "remove" }));
    }
    if (event === NOT_HOST) return refused(ROOM_ERRORS.notHost);
    if (event === undefined) return refused(UNDO_ERRORS.noSuchCircle);
    this.stored(board, [event]);
    return removeAnswer(event);
  }

  /** Refused by the live copy when the writer is not its host, unless named: a named retry is the store's to answer. */
  private notHostHere(board: string, writer: Writer, once: Once | undefined): boolean {
    const live = this.peek(board);
    return once === undefined && live !== undefined && !hasHostPowers(live.host, writer);
  }

  private async storeRules(
    board: string,
    writer: Writer,
    rules: Partial<RoomRules>,
    op: string | undefined,
  ): Promise<WriteResult<{ rules: BoardRules }>> {
    if (!(await this.limiter.tryConsume(writer.key))) return RATE_LIMITED;
    const once = operationName(op, { kind: "rules", rules }, this.now());
    if (this.notHostHere(board, writer, once)) return refused(ROOM_ERRORS.notHost);
    const answer = (now: RoomRules): WriteResult<{ rules: BoardRules }> => ({ ok: true, rules: boardRules(now, this.peek(board)?.host) });
    let now: RoomRules | typeof NOT_HOST;
    try {
      now = await this.store.setRules(board, rules, authorityOf(writer), once);
    } catch (error) {
      return this.failed(error, board, "the board's rules could not be changed", (first) => answer(first as RoomRules));
    }
    if (now === NOT_HOST) return refused(ROOM_ERRORS.notHost);
    this.roomChanged(board, { type: "rules", rules: now });
    return answer(now);
  }

  private async storeRemovePlayer(
    board: string,
    writer: Writer,
    player: RemovedPlayer,
    op: string | undefined,
  ): Promise<WriteResult<{ removed: number }>> {
    if (!(await this.limiter.tryConsume(writer.key))) return RATE_LIMITED;
    const once = operationName(op, { kind: "remove-player", id: player.id }, this.now());
    if (this.notHostHere(board, writer, once)) return refused(ROOM_ERRORS.notHost);
    if (player.owner === writer.owner) return refused(ROOM_ERRORS.notYourself);
    let events: StoredEvent[] | typeof NOT_HOST;
    try {
      events = await this.store.removePlayer(board, player, authorityOf(writer), once);
    } catch (error) {
      return this.failed(error, board, "the player could not be removed", (first) => ({ ok: true, removed: (first as StoredEvent[]).length }));
    }
    if (events === NOT_HOST) return refused(ROOM_ERRORS.notHost);
    this.stored(board, events);
    this.roomChanged(board, { type: "removed", player });
    return { ok: true, removed: events.length };
  }

  private async storeReadmit(board: string, writer: Writer, id: string, op: string | undefined): Promise<WriteResult<object>> {
    if (!(await this.limiter.tryConsume(writer.key))) return RATE_LIMITED;
    const once = operationName(op, { kind: "readmit-player", id }, this.now());
    if (this.notHostHere(board, writer, once)) return refused(ROOM_ERRORS.notHost);
    let done: boolean | typeof NOT_HOST;
    try {
      done = await this.store.readmitPlayer(board, id, authorityOf(writer), once);
    } catch (error) {
      return this.failed(error, board, "the player could not be let back", () => ({ ok: true }));
    }
    if (done === NOT_HOST) return refused(ROOM_ERRORS.notHost);
    if (!done) return refused(ROOM_ERRORS.notRemoved);
    this.roomChanged(board, { type: "readmitted", id });
    return { ok: true };
  }

  private async storeDelete(board: string, writer: Writer, op: string | undefined): Promise<WriteResult<object>> {
    if (!(await this.limiter.tryConsume(writer.key))) return RATE_LIMITED;
    const once = operationName(op, { kind: "delete-board" }, this.now());
    if (this.notHostHere(board, writer, once)) return refused(ROOM_ERRORS.notHost);
    let done: true | typeof NOT_HOST;
    try {
      done = await this.store.deleteBoard(board, authorityOf(writer), once);
    } catch (error) {
      return this.failed(error, board, "the board could not be deleted", () => ({ ok: true }));
    }
    if (done === NOT_HOST) return refused(ROOM_ERRORS.notHost);
    this.noticed(board, { type: "deleted" });
    this.forget(board);
    return { ok: true };
  }

  private async storeUndoClear(board: string, writer: Writer, seq: number, op: string | undefined): Promise<WriteResult<{ seq: number }>> {
    if (!(await this.limiter.tryConsume(writer.key))) return RATE_LIMITED;
    const now = this.now();
    const request = { seq, since: now - this.undoClearMs, ...authorityOf(writer), maxCircles: this.maxCircles };
    let events: StoredEvent[];
    try {
      const outcome = await this.store.restoreCleared(board, request, operationName(op, { kind: "undo-clear", seq }, now));
      if (!outcome.ok && outcome.reason === "locked") this.refreshHost(board);
      if (!outcome.ok) return refused(RESTORE_ERRORS[outcome.reason]);
      events = outcome.events;
    } catch (error) {
      return this.failed(error, board, "the circles could not be brought back", (first) =>
        restoreAnswer((first as RestoreOutcome & { ok: true }).events),
      );
    }
    if (events.length > 0) this.stored(board, events);
    return restoreAnswer(events);
  }

  private async storeClaim(board: string, writer: Writer, op: string | undefined): Promise<WriteResult<object>> {
    const { host } = writer;
    if (host === undefined) return refused(CLAIM_ERRORS.noKey);
    if (!(await this.limiter.tryConsume(writer.key))) return RATE_LIMITED;
    const once = operationName(op, { kind: "claim", host }, this.now());
    const live = this.peek(board);
    const whyNot = () => (this.peek(board)?.host ? CLAIM_ERRORS.hosted : CLAIM_ERRORS.used);
    // The live copy answers most refusals without a write; the store decides the rest, and a retry's.
    if (once === undefined && live && (live.host || live.seq > 0)) return refused(whyNot());
    let claimed: boolean;
    try {
      claimed = await this.store.claim(board, host, once);
    } catch (error) {
      return this.failed(error, board, "the board could not be claimed", () => ({ ok: true }));
    }
    if (!claimed) return refused(whyNot());
    this.hostChanged(board, { hash: host, locked: false });
    return { ok: true };
  }

  private async storeLocked(board: string, writer: Writer, locked: boolean, op: string | undefined): Promise<WriteResult<{ locked: boolean }>> {
    const live = this.peek(board);
    // The admin locks a hosted board in its host's name; one with no host has no lock to set.
    const host = writer.admin === true && live?.host ? live.host.hash : writer.host;
    if (host === undefined) return refused(writer.admin === true ? LOCK_ERRORS.noHost : LOCK_ERRORS.notHost);
    if (!(await this.limiter.tryConsume(writer.key))) return RATE_LIMITED;
    const once = operationName(op, { kind: "lock", locked }, this.now());
    if (once === undefined && live?.host && live.host.hash !== host) return refused(LOCK_ERRORS.notHost);
    if (live?.host?.hash === host && live.host.locked === locked) return { ok: true, locked };
    let done: boolean;
    try {
      done = await this.store.setLocked(board, host, locked, once);
    } catch (error) {
      return this.failed(error, board, "the board's lock could not be changed", () => ({ ok: true, locked }));
    }
    if (!done) return refused(LOCK_ERRORS.notHost);
    this.hostChanged(board, { hash: host, locked });
    return { ok: true, locked };
  }

  /** A write is durable: bring the live copy up to date, then tell the listeners what took effect. */
  private stored(board: string, events: StoredEvent[]): void {
    this.tell(board, events, this.ownWrites);
    const entry = this.live.get(board);
    if (!entry) return this.tell(board, events.map(forClients), this.listeners);
    if (entry.live) {
      // A seq this copy has passed: the board was deleted and begun again, and this node missed it.
      const behind = (events[0]?.seq ?? Infinity) <= entry.live.seq;
      this.tell(board, entry.live.apply(events), this.listeners);
      if (behind) return this.reload(board, entry, false);
      return this.watchForGap(board, entry);
    }
    // Loading: the store settles in call order, so these come in seq order anyway.
    entry.early.push(...events);
    this.tell(board, events.map(forClients), this.listeners);
  }

  /** This node changed the board's host settings: its live copy takes them, and everyone hears. */
  private hostChanged(board: string, host: BoardHost): void {
    this.roomChanged(board, { type: "host", host });
  }

  /** This node changed the board's host settings, rules or removed players: its live copy takes them, and everyone hears. */
  private roomChanged(board: string, notice: BoardNotice & { type: "host" | "rules" | "removed" | "readmitted" }): void {
    const entry = this.live.get(board);
    if (entry) this.take(entry, notice);
    this.noticed(board, notice);
  }

  /**
   * The store refused a circle the live copy would have taken (it thinks
   * drawing open, or the player in): another node's notice was lost. Read
   * the rules and removals from the store, and tell this node's clients.
   */
  private refreshRoom(board: string): void {
    this.store.load(board).then(
      (stored) => {
        const live = this.peek(board);
        if (!live) return;
        live.removed = stored.removed ?? [];
        const rules = stored.rules ?? live.rules;
        if (rules.draw === live.rules.draw && rules.chat === live.rules.chat) return;
        live.rules = rules;
        this.tellNotice(board, { type: "rules", rules }, this.listeners);
      },
      (error: unknown) => this.onStoreError(error, board),
    );
  }

  /** The board is gone from the store: its live copy goes too, so that the next to open it finds it empty. */
  private forget(board: string): void {
    const entry = this.live.get(board);
    if (entry?.gapTimer) clearTimeout(entry.gapTimer);
    this.live.delete(board);
  }

  /**
   * The store refused what the live copy would have allowed (it thinks the
   * board unlocked): another node's notice was lost. Read the host from the
   * store, so that this node's clients see the lock.
   */
  private refreshHost(board: string): void {
    if (this.peek(board)?.host?.locked) return;
    this.store.load(board).then(
      (stored) => {
        const live = this.peek(board);
        if (!live || !stored.host || sameHost(live.host, stored.host)) return;
        live.host = stored.host;
        this.tellNotice(board, { type: "host", host: stored.host }, this.listeners);
      },
      (error: unknown) => this.onStoreError(error, board),
    );
  }

  private take(entry: LiveEntry, notice: BoardNotice): void {
    if (entry.live) takeNotice(entry.live, notice);
    else entry.earlyNotices.push(notice);
  }

  /** A notice of this node's: for the other nodes and for this one's listeners. */
  private noticed(board: string, notice: BoardNotice): void {
    this.tellNotice(board, notice, this.ownWrites);
    this.tellNotice(board, notice, this.listeners);
  }

  /** Each listener on its own: one that throws must not silence the others or undo a stored write. */
  private tell<E extends BoardEvent>(
    board: string,
    events: readonly E[],
    listeners: Set<{ changed(board: string, events: readonly E[]): void }>,
  ): void {
    if (events.length === 0) return;
    for (const listener of listeners) {
      try {
        listener.changed(board, events);
      } catch (error) {
        this.onListenerError(error, board);
      }
    }
  }

  private tellNotice(board: string, notice: BoardNotice, listeners: Set<BoardListener | OwnWritesListener>): void {
    for (const listener of listeners) {
      try {
        listener.noticed?.(board, notice);
      } catch (error) {
        this.onListenerError(error, board);
      }
    }
  }

  private unavailable(error: unknown, board: string, message: string): WriteFailure {
    this.onStoreError(error, board);
    return { ok: false, code: "unavailable", error: message };
  }
}

/** A change as clients may see it: an add's circle without its owner. */
function forClients(event: StoredEvent): BoardEvent {
  if (event.type !== "add" || event.circle.owner === undefined) return event;
  const { id, initials, x, y, dia, rgba, createdAt } = event.circle;
  return { ...event, circle: { id, initials, x, y, dia, rgba, createdAt } };
}

/** What a notice changes in the live copy: its host settings, rules or removed players. */
function takeNotice(live: LiveBoard, notice: BoardNotice): void {
  if (notice.type === "host") live.host = notice.host;
  else if (notice.type === "rules") live.rules = notice.rules;
  else if (notice.type === "removed") live.removed = [...live.removed.filter((player) => player.owner !== notice.player.owner), notice.player];
  else if (notice.type === "readmitted") live.removed = live.removed.filter((player) => player.id !== notice.id);
}

const sameHost = (a: BoardHost | undefined, b: BoardHost | undefined) => a?.hash === b?.hash && a?.locked === b?.locked;
