/**
 * Other players' pointers over the board: one labelled arrow each, placed
 * through the viewport (so they follow zoom and pan), and this page's own
 * pointer sent to the others, about 30 times a second at most.
 */
import { BOARD_HEIGHT, BOARD_WIDTH } from "../../../lib/protocol/rules.js";
import type { CursorPosition } from "../../../lib/protocol/events.js";
import { CursorTracker, STILL_MS, throttleLatest } from "./cursor-tracker.js";
import type { Point } from "../input/viewport.js";

const SEND_INTERVAL_MS = 33;

export interface CursorLayerOptions {
  stage: HTMLElement;
  /** Where the pointers are drawn: laid over the stage, not moved with the board, so labels keep their size. */
  layer: HTMLElement;
  viewport: { toScreen(point: Point): Point; onChange(listener: () => void): unknown };
  /** Sends this page's pointer; the page decides whether it may (a registered player). */
  send: (position: CursorPosition) => void;
}

export class CursorLayer {
  readonly tracker = new CursorTracker();
  readonly #layer: HTMLElement;
  readonly #viewport: CursorLayerOptions["viewport"];
  readonly #elements = new Map<string, HTMLElement>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor({ stage, layer, viewport, send }: CursorLayerOptions) {
    this.#layer = layer;
    this.#viewport = viewport;
    viewport.onChange(() => this.render());
    const throttled = throttleLatest(send, SEND_INTERVAL_MS);
    stage.addEventListener("pointermove", (event) => {
      const point = this.#toBoard(stage, event);
      if (point) throttled(point);
    });
  }

  /** Draws the pointers as they are now, and looks again when the stillest would expire. */
  render(): void {
    const now = performance.now();
    const cursors = this.tracker.visible(now);
    const seen = new Set<string>();
    for (const cursor of cursors) {
      seen.add(cursor.id);
      let element = this.#elements.get(cursor.id);
      if (!element) {
        element = document.createElement("div");
        element.className = "remote-cursor";
        element.append(document.createElement("span"));
        this.#layer.append(element);
        this.#elements.set(cursor.id, element);
      }
      const label = element.firstElementChild as HTMLElement;
      label.textContent = cursor.initials; // never innerHTML: initials come from other people
      element.style.setProperty("--cursor-colour", cursor.colour);
      const { x, y } = this.#viewport.toScreen(cursor);
      element.style.transform = `translate(${x}px, ${y}px)`;
    }
    for (const [id, element] of this.#elements) {
      if (seen.has(id)) continue;
      element.remove();
      this.#elements.delete(id);
    }
    clearTimeout(this.#timer);
    if (cursors.length > 0) {
      const oldest = Math.min(...cursors.map((cursor) => cursor.movedAt));
      this.#timer = setTimeout(() => this.render(), oldest + STILL_MS - now + 1);
    }
  }

  /** A pointer over the stage, in board units; undefined off the board. */
  #toBoard(stage: HTMLElement, event: PointerEvent): CursorPosition | undefined {
    const rect = stage.getBoundingClientRect();
    const screen = { x: event.clientX - rect.left - stage.clientLeft, y: event.clientY - rect.top - stage.clientTop };
    // The viewport maps board to screen linearly: two corners give the way back.
    const origin = this.#viewport.toScreen({ x: 0, y: 0 });
    const corner = this.#viewport.toScreen({ x: BOARD_WIDTH, y: BOARD_HEIGHT });
    const x = ((screen.x - origin.x) / (corner.x - origin.x)) * BOARD_WIDTH;
    const y = ((screen.y - origin.y) / (corner.y - origin.y)) * BOARD_HEIGHT;
    if (!(x >= 0 && x <= BOARD_WIDTH && y >= 0 && y <= BOARD_HEIGHT)) return undefined;
    return { x, y };
  }
}
