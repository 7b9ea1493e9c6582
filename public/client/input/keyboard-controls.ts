/**
 * The board by keyboard: with the canvas focused, arrow keys move a cursor
 * (keyboard-cursor.ts), drawn as a ring over the board, and Enter or Space
 * drops a circle there. The ring shows while the board has keyboard focus
 * and follows the board when it is zoomed or panned; a cursor moved off
 * screen pans the board to it.
 */
import { cursorStart, isPlaceKey, moveCursor } from "./keyboard-cursor.js";
import type { ViewportController } from "./viewport-controller.js";
import type { Point } from "./viewport.js";

export interface KeyboardControlsOptions {
  canvas: HTMLCanvasElement;
  /** The ring, laid over the stage (not transformed with the board, so it keeps its size). */
  ring: HTMLElement;
  viewport: ViewportController;
  onPlace: (point: Point) => void;
}

export class KeyboardControls {
  readonly #ring: HTMLElement;
  readonly #viewport: ViewportController;
  #cursor: Point = cursorStart();

  constructor(options: KeyboardControlsOptions) {
    const { canvas, onPlace } = options;
    this.#ring = options.ring;
    this.#viewport = options.viewport;

    canvas.addEventListener("keydown", (event) => {
      if (event.altKey || event.ctrlKey || event.metaKey) return; // the browser's and the system's shortcuts
      const next = moveCursor(this.#cursor, event.key, event.shiftKey);
      if (next) {
        event.preventDefault(); // arrows would scroll the page
        this.#cursor = next;
        this.#viewport.reveal(next);
        this.#show();
      } else if (isPlaceKey(event.key)) {
        event.preventDefault(); // so would Space
        if (event.repeat) return;
        this.#show();
        onPlace(this.#cursor);
      }
    });
    // Only for keyboard focus: a click or tap focuses the canvas too, and needs no cursor.
    canvas.addEventListener("focus", () => {
      if (canvas.matches(":focus-visible")) this.#show();
    });
    canvas.addEventListener("blur", () => {
      this.#ring.hidden = true;
    });
    this.#viewport.onChange(() => this.#place());
  }

  #show(): void {
    this.#ring.hidden = false;
    this.#place();
  }

  #place(): void {
    if (this.#ring.hidden) return;
    const at = this.#viewport.toScreen(this.#cursor);
    this.#ring.style.transform = `translate(${at.x}px, ${at.y}px)`;
  }
}
