/**
 * The camera (viewport.ts) on the page. The board canvas, sized by BoardView
 * to fit the stage, sits at the stage's top-left corner and is zoomed and
 * panned by one CSS transform, as are the layers drawn over it (the replay):
 * cheap enough for every move of a pinch. When a gesture ends, BoardView is
 * told the zoom and repaints at that resolution, so the board stays sharp.
 *
 * Pointer Events on the stage go through the GestureTracker: a tap is handed
 * on as a board point, a drag pans, a pinch zooms. The stage's CSS
 * (`touch-action: none`) keeps the browser from scrolling or zooming the
 * page under those gestures.
 */
import { BOARD_HEIGHT, BOARD_WIDTH } from "../../../lib/protocol/rules.js";
import type { BoardView } from "../board/board-view.js";
import { GestureTracker, type Gesture, type PointerSample } from "./pointer-gestures.js";
import {
  moveCamera,
  onBoard,
  recentre,
  reveal,
  startCamera,
  toBoard,
  toScreen,
  zoomRange,
  type Camera,
  type Point,
  type Size,
  type ZoomRange,
} from "./viewport.js";

/** How far inside the stage's edge a revealed point (the keyboard cursor) is brought. */
const REVEAL_MARGIN_PX = 48;

export interface ViewportOptions {
  stage: HTMLElement;
  canvas: HTMLCanvasElement;
  /** Elements laid over the canvas, the same size, moved with it. */
  layers: readonly HTMLElement[];
  view: BoardView;
  /** A tap or click on the board, in board units. */
  onTap: (point: Point) => void;
}

export class ViewportController {
  readonly #stage: HTMLElement;
  readonly #canvas: HTMLCanvasElement;
  readonly #layers: readonly HTMLElement[];
  readonly #view: BoardView;
  readonly #onTap: (point: Point) => void;
  readonly #tracker = new GestureTracker();
  readonly #listeners = new Set<() => void>();
  #camera: Camera = { scale: 1, x: 0, y: 0 };
  #size: Size = { width: 0, height: 0 };
  #fit = 0;
  #range: ZoomRange = { min: 1, max: 1 };
  /** Whether the player has zoomed or panned: until then a resize starts the view afresh. */
  #moved = false;

  constructor(options: ViewportOptions) {
    this.#stage = options.stage;
    this.#canvas = options.canvas;
    this.#layers = options.layers;
    this.#view = options.view;
    this.#onTap = options.onTap;

    // The canvas too: BoardView sizes it when the stage changes, and the camera needs that size.
    const observer = new ResizeObserver(() => this.#measure());
    observer.observe(this.#stage);
    observer.observe(this.#canvas);
    this.#listen();
    this.#measure();
  }

  /** A board point in the stage's coordinates (CSS pixels from its padding box's top-left), for things drawn over the board. */
  toScreen(point: Point): Point {
    return toScreen(this.#camera, point);
  }

  /** Pans, if need be, so that a board point is in view. */
  reveal(point: Point): void {
    const next = reveal(this.#camera, point, REVEAL_MARGIN_PX, this.#size, this.#range);
    if (next.x === this.#camera.x && next.y === this.#camera.y) return;
    this.#moved = true;
    this.#camera = next;
    this.#apply();
  }

  /** Called whenever the board moves on screen. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #listen(): void {
    const stage = this.#stage;
    stage.addEventListener("pointerdown", (event) => {
      if (event.pointerType === "mouse" && event.button !== 0) return;
      // A mouse leaving the stage mid-drag still reports its moves and release (fingers are captured anyway).
      if (event.target instanceof Element) event.target.setPointerCapture(event.pointerId);
      this.#handle(this.#tracker.down(this.#sample(event)));
    });
    stage.addEventListener("pointermove", (event) => this.#handle(this.#tracker.move(this.#sample(event))));
    stage.addEventListener("pointerup", (event) => this.#handle(this.#tracker.up(this.#sample(event))));
    stage.addEventListener("pointercancel", (event) => this.#handle(this.#tracker.cancel(this.#sample(event))));
  }

  #sample(event: PointerEvent): PointerSample {
    const rect = this.#stage.getBoundingClientRect();
    return {
      id: event.pointerId,
      x: event.clientX - rect.left - this.#stage.clientLeft,
      y: event.clientY - rect.top - this.#stage.clientTop,
      time: event.timeStamp,
      type: event.pointerType,
    };
  }

  #handle(gesture: Gesture | null): void {
    if (!gesture) return;
    if (gesture.kind === "tap") {
      const point = toBoard(this.#camera, gesture);
      if (onBoard(point)) this.#onTap(point);
    } else if (gesture.kind === "move") {
      this.#moved = true;
      this.#camera = moveCamera(this.#camera, gesture.from, gesture.to, gesture.ratio, this.#size, this.#range);
      this.#apply();
    } else {
      this.#sharpen();
    }
  }

  #measure(): void {
    const size = { width: this.#stage.clientWidth, height: this.#stage.clientHeight };
    const fit = this.#canvas.offsetWidth / BOARD_WIDTH;
    if (size.width === 0 || size.height === 0 || fit === 0) return;
    if (size.width === this.#size.width && size.height === this.#size.height && fit === this.#fit) return;
    // Turning the phone starts afresh: a zoom chosen for one shape of screen rarely suits the other.
    const turned = size.width > size.height !== this.#size.width > this.#size.height;
    if (turned) this.#moved = false;
    this.#range = zoomRange(size, fit);
    this.#camera = this.#moved ? recentre(this.#camera, this.#size, size, this.#range) : startCamera(size, fit);
    this.#size = size;
    this.#fit = fit;
    this.#apply();
    this.#sharpen();
  }

  #apply(): void {
    const width = this.#canvas.offsetWidth;
    const height = this.#canvas.offsetHeight;
    if (width === 0 || height === 0) return;
    const { scale, x, y } = this.#camera;
    const transform = `matrix(${(scale * BOARD_WIDTH) / width}, 0, 0, ${(scale * BOARD_HEIGHT) / height}, ${x}, ${y})`;
    for (const element of [this.#canvas, ...this.#layers]) element.style.transform = transform;
    for (const listener of this.#listeners) listener();
  }

  /** The canvas repaints at the zoom it is shown at. */
  #sharpen(): void {
    if (this.#fit > 0) this.#view.setZoom(this.#camera.scale / this.#fit);
  }
}
