/**
 * Replay: how the board was built since the last clear, drawn again circle by
 * circle on a canvas laid over the board, then gone, leaving the live board
 * (which kept up underneath, so circles that came meanwhile are there).
 *
 * The circles are replayed in the order this browser keeps them
 * (CirclesState: a snapshot's order, then live changes applied in seq order),
 * which is the order the board accepted them; `createdAt` comes from the
 * clocks of several servers and is not used.
 */
import type { Circle } from "../../../lib/protocol/events.js";
import { BOARD_WIDTH } from "../../../lib/protocol/rules.js";
import type { BoardView } from "../board/board-view.js";
import type { CirclesState } from "../board/circles-state.js";

/** Each circle gets this long when there are few, so three circles do not flash by. */
export const REPLAY_STEP_MS = 250;
/** However many circles there are, they are all drawn within this. */
export const REPLAY_DRAW_MS = 3500;
/** The finished picture stays this long before the live board comes back. */
export const REPLAY_HOLD_MS = 500;

/** How long drawing `count` circles takes. */
export function replayDrawMs(count: number): number {
  return Math.min(REPLAY_DRAW_MS, Math.max(0, count) * REPLAY_STEP_MS);
}

/** How many of `count` circles are drawn `elapsed` ms into the replay: evenly spaced, the last one at the end of the drawing. */
export function replayShown(elapsed: number, count: number): number {
  const drawMs = replayDrawMs(count);
  if (drawMs === 0) return Math.max(0, count);
  return Math.max(0, Math.min(count, Math.floor((elapsed / drawMs) * count)));
}

/** When the replay is over and the live board comes back. */
export function replayEndMs(count: number): number {
  return replayDrawMs(count) + REPLAY_HOLD_MS;
}

export interface ReplayElements {
  /** Laid over the board, moved with it by the viewport (viewport-controller.ts's layers). */
  overlay: HTMLCanvasElement;
  board: HTMLCanvasElement;
  /** "Replaying…", shown over the board while it runs. */
  status: HTMLElement;
  button: HTMLButtonElement;
}

export class Replay {
  readonly #el: ReplayElements;
  readonly #view: BoardView;
  readonly #state: CirclesState;
  readonly #say: (text: string) => void;
  #circles: Circle[] = [];
  #painted = 0;
  #started = 0;
  #frame = 0;

  constructor(elements: ReplayElements, view: BoardView, state: CirclesState, say: (text: string) => void) {
    this.#el = elements;
    this.#view = view;
    this.#state = state;
    this.#say = say;
  }

  get running(): boolean {
    return this.#frame !== 0;
  }

  /** Starts a replay of the circles there are now; false when there are none. */
  start(): boolean {
    this.stop();
    const circles = this.#state.list();
    if (circles.length === 0) return false;
    this.#circles = circles;
    this.#painted = 0;
    this.#started = performance.now();
    const { overlay, status, button } = this.#el;
    this.#fitOverlay();
    overlay.hidden = false;
    status.hidden = false;
    button.textContent = "Stop replay";
    this.#say(`Replaying ${circles.length} ${circles.length === 1 ? "circle" : "circles"}`);
    this.#frame = requestAnimationFrame((now) => this.#tick(now));
    return true;
  }

  /** Back to the live board, at once. */
  stop(): void {
    if (!this.running) return;
    cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    this.#circles = [];
    const { overlay, status, button } = this.#el;
    overlay.hidden = true;
    status.hidden = true;
    button.textContent = "Replay";
    this.#say("Replay over: back to the live board");
  }

  #tick(now: number): void {
    const elapsed = now - this.#started;
    const count = this.#circles.length;
    if (elapsed >= replayEndMs(count)) {
      this.stop();
      return;
    }
    const { overlay } = this.#el;
    const ctx = overlay.getContext("2d", { alpha: false });
    if (!ctx) {
      this.stop();
      return;
    }
    // The board may have been resized or zoomed meanwhile: follow it, and paint everything shown so far again.
    if (this.#fitOverlay()) this.#painted = 0;
    if (this.#painted === 0) this.#view.paintBackground(ctx);
    const shown = replayShown(elapsed, count);
    if (shown > this.#painted) {
      this.#view.paintCircles(ctx, overlay.width / BOARD_WIDTH, this.#circles.slice(this.#painted, shown));
      this.#painted = shown;
    }
    overlay.dataset.shown = String(shown);
    this.#frame = requestAnimationFrame((next) => this.#tick(next));
  }

  /** Gives the overlay the board's size on screen and in pixels; true when that changed it (and wiped it). */
  #fitOverlay(): boolean {
    const { overlay, board } = this.#el;
    overlay.style.width = board.style.width;
    overlay.style.height = board.style.height;
    if (overlay.width === board.width && overlay.height === board.height) return false;
    overlay.width = board.width;
    overlay.height = board.height;
    return true;
  }
}
