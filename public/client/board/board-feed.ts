/**
 * Keeps this browser's circles in step with the board's numbered changes
 * (protocol 2). Every change the server accepts has the board's next seq;
 * the feed remembers the last one applied, skips changes it already has,
 * and when one is missing asks the server for what it missed (`sync-board`)
 * instead of applying changes out of order. Plain: the socket is behind
 * `requestSync`, so the rules are tested without a network.
 */
import type { Ack, BoardEvent, BoardSnapshot, BoardSync } from "../../../lib/protocol/events.js";
import type { CirclesState } from "./circles-state.js";

export interface BoardFeedOptions {
  state: CirclesState;
  /** Ask the server for every change after `since`. */
  requestSync: (since: number) => Promise<Ack<BoardSync>>;
  /** How long to wait before asking again when a sync was refused or not answered. */
  retryMs?: number;
  /** After each snapshot or batch applied, with the seq reached: for what is drawn over the board until it catches up. */
  onApplied?: (seq: number) => void;
}

export interface LastClear {
  seq: number;
  ids: ReadonlySet<string>;
}

const isSeq = (n: unknown): n is number => typeof n === "number" && Number.isSafeInteger(n) && n >= 0;

/** The circle inside an "add" is checked by CirclesState; here only the envelope. */
function isBoardEvent(value: unknown): value is BoardEvent {
  if (typeof value !== "object" || value === null) return false;
  const e = value as Record<string, unknown>;
  if (!isSeq(e.seq)) return false;
  return e.type === "clear" || (e.type === "remove" && typeof e.id === "string") || (e.type === "add" && typeof e.circle === "object");
}

export class BoardFeed {
  readonly #state: CirclesState;
  readonly #requestSync: (since: number) => Promise<Ack<BoardSync>>;
  readonly #retryMs: number;
  readonly #onApplied: (seq: number) => void;
  /** The last change applied; undefined until the first snapshot. */
  #seq: number | undefined;
  /** A sync is asked for, or waiting to be asked again: changes are held until it is answered. */
  #syncing = false;
  /** Changes that came after a gap, in the order they came. */
  #held: BoardEvent[] = [];
  /** Bumped on every disconnection, so that an answer meant for an old connection is ignored. */
  #connection = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #lastClear: LastClear | undefined;

  constructor(options: BoardFeedOptions) {
    this.#state = options.state;
    this.#requestSync = options.requestSync;
    this.#retryMs = options.retryMs ?? 1000;
    this.#onApplied = options.onApplied ?? (() => {});
  }

  /** The last seq applied, to send as `since` on the next connection; undefined before the board first loaded. */
  get seq(): number | undefined {
    return this.#seq;
  }

  /** The last clear applied, and the circles it removed: what undoing it would bring back. */
  get lastClear(): LastClear | undefined {
    return this.#lastClear;
  }

  /** The whole board: replaces everything, whatever was known before. */
  snapshot(snapshot: BoardSnapshot | undefined): void {
    if (!snapshot || !isSeq(snapshot.seq)) return;
    this.#state.replace(Array.isArray(snapshot.circles) ? snapshot.circles : []);
    this.#seq = snapshot.seq;
    this.#onApplied(snapshot.seq);
  }

  /** A batch of changes: live ones, or on connecting, those missed since the `since` we sent. */
  events(events: readonly unknown[] | undefined): void {
    if (this.#seq === undefined) return; // without a board to apply them to; the snapshot comes first
    this.#take(Array.isArray(events) ? events.filter(isBoardEvent) : []);
  }

  /** The connection dropped: whatever was held or asked for on it is moot, the next one starts from `seq`. */
  disconnected(): void {
    this.#connection++;
    this.#syncing = false;
    this.#held = [];
    clearTimeout(this.#retryTimer);
  }

  #take(events: readonly BoardEvent[]): void {
    const before = this.#seq;
    for (const event of events) {
      const seq = this.#seq ?? 0;
      if (this.#syncing) this.#held.push(event);
      else if (event.seq <= seq)
        continue; // already applied
      else if (event.seq === seq + 1) this.#apply(event);
      else {
        this.#held.push(event);
        void this.#sync();
      }
    }
    if (this.#seq !== undefined && this.#seq !== before) this.#onApplied(this.#seq);
  }

  #apply(event: BoardEvent): void {
    this.#seq = event.seq;
    if (event.type === "add") this.#state.add(event.circle);
    else if (event.type === "remove") this.#state.remove(event.id);
    else {
      const ids = new Set(Array.from(this.#state.values(), (circle) => circle.id));
      this.#state.clear();
      this.#lastClear = { seq: event.seq, ids };
    }
  }

  async #sync(): Promise<void> {
    this.#syncing = true;
    const connection = this.#connection;
    const answer = await this.#requestSync(this.#seq ?? 0);
    if (connection !== this.#connection) return;
    if (!answer.ok) {
      this.#retryTimer = setTimeout(() => this.#resume(), this.#retryMs);
      return;
    }
    if ("snapshot" in answer) this.snapshot(answer.snapshot);
    this.#resume("events" in answer && Array.isArray(answer.events) ? answer.events.filter(isBoardEvent) : []);
  }

  /** Apply what the sync brought, then what was held back meanwhile; a gap still there asks again. */
  #resume(missed: readonly BoardEvent[] = []): void {
    this.#syncing = false;
    const held = this.#held;
    this.#held = [];
    this.#take([...missed, ...held]);
  }
}
