/**
 * The page's writes that wait for the server: taps, undos of a named circle,
 * a Clear and an Undo clear (policy.ts says how long each may wait). They
 * are sent in the order made, one at a time, the next once the previous is
 * answered, each with its id, so that a resend is done once. A tap or an
 * undo is in storage (waiting-store.ts) before it is first sent.
 *
 * A write leaves the queue when it is done, or refused for itself (any code
 * but RETRY_LATER_CODES), or too old, or (a tap not yet sent) undone. "Not
 * now", no answer in time or the connection dropping before the answer keep
 * it, to be sent again after FIRST_RETRY_MS, doubling up to LAST_RETRY_MS,
 * and at once on reconnecting. Plain: the socket is behind `send`, so the
 * rules are tested without a network or a page.
 */
import type { Ack, ErrorCode } from "../../../lib/protocol/events.js";
import { RETRY_LATER_CODES } from "../../../lib/protocol/rules.js";
import { newId } from "./ids.js";
import { CLEAR_MAX_WAIT_MS, FIRST_RETRY_MS, LAST_RETRY_MS, TAP_MAX_AGE_MS } from "./policy.js";
import { sameWrite, type LastingWrite, type WaitingStorage } from "./waiting-store.js";

export type Write = LastingWrite | { kind: "clear"; op: string; at: number } | { kind: "undo-clear"; op: string; seq: number; until: number };

/** What the server said to one sending, or that it said nothing in time. */
export type Attempt = Ack<{ seq: number }> | "unanswered";

/** How a write that was answered ended. */
export type Outcome = { ok: true; seq: number } | { ok: false; error: string; code: ErrorCode };

/** What Undo did: took a tap out before it was sent, queued an undo of a circle, or found nothing of this page's to undo. */
export type UndoResult = { kind: "withdrawn"; id: string } | { kind: "queued"; id: string } | { kind: "none" };

export interface OutboxOptions {
  store: WaitingStorage;
  send: (write: Write) => Promise<Attempt>;
  /** A write was done, or refused for good. */
  onSettled: (write: Write, outcome: Outcome) => void;
  /** Writes dropped unsent (or unanswered) because they waited too long. */
  onExpired: (writes: Write[]) => void;
  /** What is waiting changed. */
  onChange: () => void;
}

/** When a write stops being worth sending. */
export function deadline(write: Write): number {
  if (write.kind === "clear") return write.at + CLEAR_MAX_WAIT_MS;
  if (write.kind === "undo-clear") return write.until;
  return write.at + TAP_MAX_AGE_MS;
}

/** "2 taps were too old to send", "1 tap and 1 undo were too old to send". */
export function tooOld(writes: readonly Write[]): string | null {
  const taps = writes.filter((write) => write.kind === "add").length;
  const undos = writes.filter((write) => write.kind === "undo").length;
  const parts = [taps > 0 ? `${taps} ${taps === 1 ? "tap" : "taps"}` : "", undos > 0 ? `${undos} ${undos === 1 ? "undo" : "undos"}` : ""];
  const what = parts.filter(Boolean).join(" and ");
  if (!what) return null;
  return `${what} ${taps + undos === 1 ? "was" : "were"} too old to send`;
}

const isLasting = (write: Write): write is LastingWrite => write.kind === "add" || write.kind === "undo";

interface Entry {
  write: Write;
  /** Sent with no answer, or taken up from storage: the server may have done it. */
  maybeDone: boolean;
}

export class Outbox {
  readonly #options: OutboxOptions;
  readonly #queue: Entry[] = [];
  /** The circles this page added and the server took, oldest first: what Undo names. */
  readonly #mine: string[] = [];
  #online = false;
  #stopped = false;
  /** The entry sent and not yet answered. */
  #current: Entry | undefined;
  /** Bumped when the connection drops, so that an answer to a sending before it is ignored (the write is sent again). */
  #sending = 0;
  #delayMs = FIRST_RETRY_MS;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #expiryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: OutboxOptions) {
    this.#options = options;
  }

  /** Writes waiting or under way. */
  get size(): number {
    return this.#queue.length;
  }

  /** Whether a write of this kind is sent and not yet answered. */
  sending(kind: Write["kind"]): boolean {
    return this.#current?.write.kind === kind;
  }

  /**
   * Take up what earlier pages of this board left in storage, in order, and
   * drop (with onExpired) what is too old. Returns the taps taken up that
   * are to be drawn (those not being undone). A write taken up may have been
   * sent before the page closed: it is sent again (done once, whatever
   * happened then).
   */
  restore(): Extract<Write, { kind: "add" }>[] {
    const now = Date.now();
    const expired: LastingWrite[] = [];
    const taken: LastingWrite[] = [];
    for (const write of this.#options.store.load()) {
      if (deadline(write) <= now) {
        expired.push(write);
        this.#options.store.drop(write);
      } else if (!this.#queue.some((entry) => isLasting(entry.write) && sameWrite(entry.write, write))) {
        this.#queue.push({ write, maybeDone: true });
        taken.push(write);
      }
    }
    if (expired.length > 0) this.#options.onExpired(expired);
    this.#changed();
    const undoing = this.#undoing();
    return taken.filter((write) => write.kind === "add").filter((write) => !undoing.has(write.id));
  }

  /** A new write: kept in storage first when it lasts, then sent in its turn. */
  push(write: Write): void {
    if (this.#stopped) return;
    if (isLasting(write)) this.#options.store.put(write);
    this.#queue.push({ write, maybeDone: false });
    this.#changed();
  }

  /**
   * Undo this page's newest circle: a tap not yet sent (or only refused "not
   * now") is taken out, never sent; a tap under way or maybe done is undone
   * once it is answered (an undo queued after it); else the newest circle
   * this page added that is still on the board (`onBoard`).
   */
  undo(onBoard: (id: string) => boolean): UndoResult {
    const undoing = this.#undoing();
    for (let i = this.#queue.length - 1; i >= 0; i--) {
      const entry = this.#queue[i];
      if (!entry || entry.write.kind !== "add" || undoing.has(entry.write.id)) continue;
      const { id } = entry.write;
      if (entry === this.#current || entry.maybeDone) return this.#queueUndo(id);
      this.#remove(entry);
      this.#changed();
      return { kind: "withdrawn", id };
    }
    const id = this.#mine.findLast((mine) => !undoing.has(mine) && onBoard(mine));
    return id === undefined ? { kind: "none" } : this.#queueUndo(id);
  }

  /** The socket connected (send what waits, at once) or dropped (what was under way waits, to be sent again). */
  online(connected: boolean): void {
    this.#online = connected;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#delayMs = FIRST_RETRY_MS;
    if (!connected && this.#current) {
      this.#current.maybeDone = true;
      this.#current = undefined;
      this.#sending++;
      this.#watchDeadlines();
    }
    this.#pump();
  }

  /** The page is done with this board (removed, or the board deleted): nothing more is sent, and nothing is kept. */
  stop(): void {
    this.#stopped = true;
    this.#sending++;
    this.#current = undefined;
    this.#queue.length = 0;
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#expiryTimer);
    this.#options.store.clear();
    this.#options.onChange();
  }

  #queueUndo(id: string): UndoResult {
    this.push({ kind: "undo", op: newId(), id, at: Date.now() });
    return { kind: "queued", id };
  }

  /** The circles an undo in the queue will remove. */
  #undoing(): Set<string> {
    return new Set(this.#queue.flatMap(({ write }) => (write.kind === "undo" ? [write.id] : [])));
  }

  #remove(entry: Entry): void {
    const at = this.#queue.indexOf(entry);
    if (at >= 0) this.#queue.splice(at, 1);
    if (isLasting(entry.write)) this.#options.store.drop(entry.write);
  }

  /** After any change to the queue: tell, watch the next deadline, send if it is time. */
  #changed(): void {
    this.#options.onChange();
    this.#watchDeadlines();
    this.#pump();
  }

  #pump(): void {
    if (!this.#online || this.#stopped || this.#current || this.#retryTimer !== undefined) return;
    this.#expire();
    const entry = this.#queue[0];
    if (!entry) return;
    this.#current = entry;
    const sending = this.#sending;
    this.#options.send(entry.write).then(
      (attempt) => this.#answered(entry, sending, attempt),
      () => this.#answered(entry, sending, "unanswered"),
    );
  }

  #answered(entry: Entry, sending: number, attempt: Attempt): void {
    if (sending !== this.#sending) return;
    this.#current = undefined;
    if (attempt === "unanswered" || (!attempt.ok && RETRY_LATER_CODES.includes(attempt.code))) {
      if (attempt === "unanswered") entry.maybeDone = true;
      this.#watchDeadlines();
      this.#retryLater();
      return;
    }
    this.#delayMs = FIRST_RETRY_MS;
    this.#remove(entry);
    const { write } = entry;
    // Undone, or refused (not this player's, gone): either way not one to name again.
    if (write.kind === "undo") this.#forget(write.id);
    if (attempt.ok) {
      if (write.kind === "add") this.#mine.push(write.id);
    } else if (write.kind === "add") {
      // Never added: an undo of it waiting behind would only be refused.
      for (const other of [...this.#queue]) if (other.write.kind === "undo" && other.write.id === write.id) this.#remove(other);
    }
    this.#options.onSettled(write, attempt.ok ? { ok: true, seq: attempt.seq } : { ok: false, error: attempt.error, code: attempt.code });
    this.#changed();
  }

  #forget(id: string): void {
    const at = this.#mine.indexOf(id);
    if (at >= 0) this.#mine.splice(at, 1);
  }

  #retryLater(): void {
    const delay = this.#delayMs;
    this.#delayMs = Math.min(delay * 2, LAST_RETRY_MS);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#pump();
    }, delay);
  }

  /** Drop what waited too long; what is under way waits for its answer first. */
  #expire(): void {
    const now = Date.now();
    const expired = this.#queue.filter((entry) => entry !== this.#current && deadline(entry.write) <= now);
    for (const entry of expired) this.#remove(entry);
    this.#watchDeadlines();
    if (expired.length === 0) return;
    this.#options.onExpired(expired.map((entry) => entry.write));
    this.#options.onChange();
  }

  /** A timer for the next deadline of a write that waits (the one under way is watched again once answered). */
  #watchDeadlines(): void {
    clearTimeout(this.#expiryTimer);
    const waiting = this.#queue.filter((entry) => entry !== this.#current);
    if (this.#stopped || waiting.length === 0) return;
    const next = Math.min(...waiting.map((entry) => deadline(entry.write)));
    this.#expiryTimer = setTimeout(() => this.#expire(), Math.max(0, next - Date.now()));
  }
}
