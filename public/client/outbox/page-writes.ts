/**
 * The page's writes, wired to the socket and the screen: taps, undos, Clear
 * and Undo clear go through the outbox (outbox.ts), each tap drawn at once as
 * pending (pending-taps.ts) until the board has it; the header counts what
 * waits; refusals and writes too old to send are told in the toaster. Chat
 * and the host's actions go through `now` (send-now.ts).
 */
import type { Ack, Circle, CircleInput } from "../../../lib/protocol/events.js";
import type { BoardView } from "../board/board-view.js";
import type { CirclesState } from "../board/circles-state.js";
import type { ConnectionStatus } from "../connection-status.js";
import { addCircle, clearCircles, isUnanswered, undoCircle, undoClear, type CirclesSocket } from "../socket.js";
import type { Toaster } from "../toast.js";
import { newId } from "./ids.js";
import { Outbox, tooOld, type Attempt, type Outcome, type Write } from "./outbox.js";
import { PendingTaps } from "./pending-taps.js";
import { CLEAR_MAX_WAIT_MS } from "./policy.js";
import { sendNow, type Link } from "./send-now.js";
import { WaitingStore } from "./waiting-store.js";

export interface PageWritesOptions {
  board: string;
  socket: CirclesSocket;
  state: CirclesState;
  view: BoardView;
  status: ConnectionStatus;
  toaster: Toaster;
  /** The seq the board is at. */
  seq: () => number | undefined;
}

function send(socket: CirclesSocket, write: Write): Promise<Ack<{ seq: number }>> {
  if (write.kind === "add") return addCircle(socket, { ...write.circle, id: write.id });
  if (write.kind === "undo") return undoCircle(socket, { id: write.id, op: write.op });
  if (write.kind === "clear") return clearCircles(socket, write.op);
  return undoClear(socket, write.seq, write.op);
}

export class PageWrites {
  readonly #options: PageWritesOptions;
  readonly #link: Link;
  readonly #outbox: Outbox;
  readonly #pending: PendingTaps;
  /** Undo clear's answers, by operation id, for the notice that asked. */
  readonly #undoingClears = new Map<string, (error: string | null) => void>();

  constructor(options: PageWritesOptions) {
    this.#options = options;
    const { socket, state, view, status } = options;
    this.#link = {
      get connected() {
        return socket.connected;
      },
      once(event, listener) {
        socket.once(event, listener);
        return () => void socket.off(event, listener);
      },
    };
    this.#pending = new PendingTaps(() => view.showPending(this.#pending.list()));
    this.#outbox = new Outbox({
      store: new WaitingStore(options.board),
      send: async (write): Promise<Attempt> => {
        const answer = await send(socket, write);
        return isUnanswered(answer) ? "unanswered" : answer;
      },
      onSettled: (write, outcome) => this.#settled(write, outcome),
      onExpired: (writes) => this.#expired(writes),
      onChange: () => status.setWaiting(this.#outbox.size),
    });
    state.subscribe((change) => {
      if (change.kind === "add") this.#pending.boardHas(change.circle.id);
      else if (change.kind === "reset") this.#pending.boardShows((id) => state.has(id));
    });
    socket.on("connect", () => this.#outbox.online(true));
    socket.on("disconnect", () => this.#outbox.online(false));
    // Drawn now, sent once connected.
    for (const write of this.#outbox.restore()) this.#pending.tapped(write.id, write.circle, write.at);
  }

  /** A tap: drawn at once, kept, sent in its turn. */
  tap(circle: CircleInput): void {
    const write = { kind: "add", id: newId(), circle, at: Date.now() } as const;
    this.#pending.tapped(write.id, circle, write.at);
    this.#outbox.push(write);
  }

  /** Undo this page's newest circle; with none known, the server's newest of this player. */
  async undo(): Promise<void> {
    const result = this.#outbox.undo((id) => this.#options.state.has(id));
    if (result.kind !== "none") {
      this.#pending.dropped(result.id);
      if (result.kind === "queued" && !this.#link.connected) this.#options.toaster.show("Undo waits until you are back online");
      return;
    }
    const ack = await this.now((op) => undoCircle(this.#options.socket, { op }));
    if (!ack.ok) this.#options.toaster.show(`Not undone: ${ack.error}`, "error");
  }

  clear(): void {
    this.#outbox.push({ kind: "clear", op: newId(), at: Date.now() });
    if (!this.#link.connected) this.#options.toaster.show(`Offline: Clear is sent if you are back within ${CLEAR_MAX_WAIT_MS / 1000} s`);
  }

  /** Undo the clear of `seq`, while it may be (until `until`, ms since the epoch); resolves with an error to show, or null once done. */
  undoClear(seq: number, until: number): Promise<string | null> {
    const op = newId();
    return new Promise((resolve) => {
      this.#undoingClears.set(op, resolve);
      this.#outbox.push({ kind: "undo-clear", op, seq, until });
    });
  }

  /** Chat and the host's actions: sent now, or refused at once while offline. */
  now<T extends object>(request: (op: string) => Promise<Ack<T>>): Promise<Ack<T>> {
    return sendNow(this.#link, request);
  }

  /** Whether this page's Clear is under way, so that its notice says "You". */
  get clearing(): boolean {
    return this.#outbox.sending("clear");
  }

  /** The board applied every change up to `seq` (BoardFeed's onApplied). */
  boardAt(seq: number): void {
    this.#pending.boardAt(seq);
  }

  /** The taps drawn as pending, for the debug hooks. */
  pending(): Circle[] {
    return this.#pending.list();
  }

  /** The page is done with this board (removed, or the board deleted): what waits is dropped, here and in storage. */
  end(): void {
    this.#outbox.stop();
    for (const circle of this.#pending.list()) this.#pending.dropped(circle.id);
  }

  #settled(write: Write, outcome: Outcome): void {
    const { toaster } = this.#options;
    if (write.kind === "undo-clear") return this.#clearUndone(write.op, outcome.ok ? null : outcome.error);
    if (write.kind === "add") {
      if (outcome.ok) this.#pending.acknowledged(write.id, outcome.seq, this.#options.seq());
      else this.#pending.dropped(write.id);
    }
    if (outcome.ok) return;
    const what = write.kind === "add" ? "Circle not added" : write.kind === "undo" ? "Not undone" : "Not cleared";
    toaster.show(`${what}: ${outcome.error}`, "error");
  }

  #expired(writes: readonly Write[]): void {
    for (const write of writes) {
      if (write.kind === "add") this.#pending.dropped(write.id);
      if (write.kind === "undo-clear") this.#clearUndone(write.op, "you were offline");
    }
    const notices = [tooOld(writes), writes.some((write) => write.kind === "clear") ? "Clear not sent: you were offline" : null];
    const notice = notices.filter(Boolean).join(". ");
    if (notice) this.#options.toaster.show(notice, "error", 6000);
  }

  #clearUndone(op: string, error: string | null): void {
    this.#undoingClears.get(op)?.(error);
    this.#undoingClears.delete(op);
  }
}
