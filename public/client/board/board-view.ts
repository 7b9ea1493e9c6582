/**
 * Draws the board on one <canvas>. Everybody sees the same picture: circles
 * live in fixed logical units (BOARD_WIDTH × BOARD_HEIGHT) and the canvas is
 * that board scaled to fit its container, letterboxed, at the screen's pixel
 * density. Changes only mark the picture dirty; it is redrawn at most once per
 * animation frame, and only as much as changed: new circles are painted on
 * top, a removed circle (the board's cap evicts the oldest with every new one
 * once full) repaints just the rectangle it covered, one removed before it
 * was ever painted is simply not painted, and only a resize, a snapshot or a
 * clear repaints everything. Whatever the mix of changes in a frame, the
 * picture is the one a full repaint would make.
 *
 * This page's taps not yet on the board (outbox/pending-taps.ts) are drawn on
 * a second canvas laid over it, sized with it: faded, in a dashed outline, so
 * that the board's own canvas shows exactly the board.
 */
import type { Circle } from "../../../lib/protocol/events.js";
import { BOARD_HEIGHT, BOARD_WIDTH } from "../../../lib/protocol/rules.js";
import type { CirclesChange, CirclesState } from "./circles-state.js";
import { labelColourFor, parseColour, type Rgba } from "./colour.js";

/** Matches `--board-bg` in style.css; labels are chosen to contrast with it. */
const BOARD_BACKGROUND: Rgba = { r: 255, g: 255, b: 255, a: 1 };
export const BACKGROUND_FILL = "#ffffff";
const FONT_PX = 100;
export const LABEL_FONT_WEIGHT = 700;
export const LABEL_FONT_FAMILY = `system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif`;
const FONT = `${LABEL_FONT_WEIGHT} ${FONT_PX}px ${LABEL_FONT_FAMILY}`;
/** Labels smaller than this many device pixels are skipped: unreadable and costly. */
const MIN_LABEL_DEVICE_PX = 7;
/**
 * More removals than this in one frame and a full repaint is cheaper than
 * patching. A batch from the server can evict dozens at once (a full board
 * at 1,000 circles/s loses about 33 per 33 ms tick), and patching them costs
 * one pass over the board, far less than drawing every circle again.
 */
const MAX_PATCHES = 256;
/** The widest backing store a zoomed-in board gets (about 38 MB); closer than that it is scaled up. */
const MAX_ZOOMED_DEVICE_WIDTH = 4096;
/** A pending tap: its circle this opaque, then a dashed ring of this colour, in board units. */
const PENDING_ALPHA = 0.4;
const PENDING_RING = "rgba(30, 41, 59, 0.85)";
const PENDING_RING_WIDTH = 3;
const PENDING_DASH = [10, 7];

/** A rectangle of the canvas in whole device pixels. */
interface Patch {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

interface Paint {
  fill: string;
  label: string;
}

/** A circle as the canvas paints it, in board units: for drawings made elsewhere (the SVG export). */
export interface CircleLook {
  fill: string;
  labelColour: string;
  /** Font size of the label, centred on the circle; 0 for no label. */
  labelSize: number;
  /** How far below the centre the label's baseline sits. */
  labelBaseline: number;
}

export class BoardView {
  readonly #canvas: HTMLCanvasElement;
  readonly #container: HTMLElement;
  readonly #state: CirclesState;
  readonly #ctx: CanvasRenderingContext2D;
  readonly #onRender: ((count: number) => void) | undefined;
  readonly #pendingCanvas: HTMLCanvasElement | undefined;
  /** This page's taps the board does not have yet (`showPending`). */
  #pendingTaps: readonly Circle[] = [];
  /** Device pixels per logical unit. */
  #scale = 1;
  /** How far the board is zoomed in on screen, beyond fitting its container (see setZoom). */
  #zoom = 1;
  #frame = 0;
  #fullRedraw = true;
  /** Circles added since the last frame, newest last: painted on top of everything else. */
  #pending = new Set<Circle>();
  /** Where removed circles were: repainted from the remaining circles. */
  #patches: Patch[] = [];
  readonly #paints = new WeakMap<Circle, Paint>();
  /** Label width at FONT_PX, per string of initials. */
  readonly #labelWidths = new Map<string, number>();
  #capHeight = FONT_PX * 0.7;
  readonly #cleanups: (() => void)[] = [];

  constructor(options: {
    canvas: HTMLCanvasElement;
    container: HTMLElement;
    state: CirclesState;
    /** Where this page's pending taps are drawn (`showPending`). */
    pending?: HTMLCanvasElement;
    onRender?: (count: number) => void;
  }) {
    this.#canvas = options.canvas;
    this.#container = options.container;
    this.#state = options.state;
    this.#pendingCanvas = options.pending;
    this.#onRender = options.onRender;
    const ctx = this.#canvas.getContext("2d", { alpha: false });
    if (!ctx) throw new Error("this browser cannot draw on a canvas");
    this.#ctx = ctx;
    this.#measureFont();

    this.#cleanups.push(this.#state.subscribe((change) => this.#onChange(change)));
    const observer = new ResizeObserver(() => this.#resize());
    observer.observe(this.#container);
    this.#cleanups.push(() => observer.disconnect());
    this.#watchPixelRatio();
    this.#resize();
  }

  /**
   * The board is shown `zoom` times larger than it fits (a CSS transform, see
   * viewport-controller.ts): the canvas keeps that many more pixels, up to a
   * limit, so that zoomed-in circles stay sharp.
   */
  setZoom(zoom: number): void {
    const next = Number.isFinite(zoom) ? Math.max(1, zoom) : 1;
    if (next === this.#zoom) return;
    this.#zoom = next;
    this.#resize();
  }

  /** Clears another canvas to the board's background. */
  paintBackground(ctx: CanvasRenderingContext2D): void {
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = BACKGROUND_FILL;
    ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  }

  /** Paints circles, in order, on another canvas at `scale` pixels per board unit, exactly as this one paints them. */
  paintCircles(ctx: CanvasRenderingContext2D, scale: number, circles: Iterable<Circle>): void {
    this.#setFont(ctx);
    for (const circle of circles) this.#draw(circle, ctx, scale);
  }

  /** How this view paints a circle, in board units. */
  look(circle: Circle): CircleLook {
    const paint = this.#paintFor(circle);
    const labelSize = circle.initials ? this.#labelSize(circle) : 0;
    const labelBaseline = ((this.#capHeight / 2) * labelSize) / FONT_PX;
    return { fill: paint.fill, labelColour: paint.label, labelSize, labelBaseline };
  }

  /** Draw these taps as pending, in place of those drawn before; `data-pending-count` says how many. */
  showPending(circles: readonly Circle[]): void {
    this.#pendingTaps = circles;
    this.#paintPending();
  }

  destroy(): void {
    cancelAnimationFrame(this.#frame);
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
  }

  #onChange(change: CirclesChange): void {
    if (change.kind === "reset") this.#invalidate();
    else if (this.#fullRedraw) {
      // everything is repainted anyway
    } else if (change.kind === "add") this.#pending.add(change.circle);
    else if (this.#pending.delete(change.circle)) {
      // gone before it was ever painted: nothing to repaint
    } else if (this.#patches.length < MAX_PATCHES) this.#patches.push(this.#patchFor(change.circle));
    else this.#invalidate();
    this.#schedule();
  }

  #invalidate(): void {
    this.#fullRedraw = true;
    this.#pending.clear();
    this.#patches = [];
  }

  /** The device-pixel rectangle a circle covers, widened for antialiasing. */
  #patchFor(circle: Circle): Patch {
    const k = this.#scale;
    const r = circle.dia / 2;
    return {
      x0: Math.max(0, Math.floor((circle.x - r) * k) - 2),
      y0: Math.max(0, Math.floor((circle.y - r) * k) - 2),
      x1: Math.min(this.#canvas.width, Math.ceil((circle.x + r) * k) + 2),
      y1: Math.min(this.#canvas.height, Math.ceil((circle.y + r) * k) + 2),
    };
  }

  #schedule(): void {
    if (this.#frame === 0) this.#frame = requestAnimationFrame(() => this.#render());
  }

  /** Fit the board into the container, keeping its aspect ratio, and size the backing store for crisp pixels. */
  #resize(): void {
    const style = getComputedStyle(this.#container);
    const width = this.#container.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const height = this.#container.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
    const fit = Math.max(0, Math.min(width / BOARD_WIDTH, height / BOARD_HEIGHT));
    const cssWidth = Math.floor(BOARD_WIDTH * fit);
    const cssHeight = Math.floor(BOARD_HEIGHT * fit);
    const density = window.devicePixelRatio || 1;
    const ratio = Math.max(density, Math.min(density * this.#zoom, MAX_ZOOMED_DEVICE_WIDTH / Math.max(1, cssWidth)));
    const deviceWidth = Math.max(1, Math.round(cssWidth * ratio));
    const deviceHeight = Math.max(1, Math.round(cssHeight * ratio));

    this.#canvas.style.width = `${cssWidth}px`;
    this.#canvas.style.height = `${cssHeight}px`;
    if (this.#canvas.width !== deviceWidth || this.#canvas.height !== deviceHeight) {
      this.#canvas.width = deviceWidth; // also wipes the bitmap
      this.#canvas.height = deviceHeight;
      this.#scale = Math.min(deviceWidth / BOARD_WIDTH, deviceHeight / BOARD_HEIGHT);
      this.#setFont(); // resizing a canvas resets its context
      // Repaint now, not next frame, so a resize never shows a blank board.
      this.#invalidate();
      cancelAnimationFrame(this.#frame);
      this.#render();
    }
    const overlay = this.#pendingCanvas;
    if (!overlay) return;
    overlay.style.width = this.#canvas.style.width;
    overlay.style.height = this.#canvas.style.height;
    if (overlay.width !== deviceWidth || overlay.height !== deviceHeight) {
      overlay.width = deviceWidth;
      overlay.height = deviceHeight;
      this.#paintPending();
    }
  }

  /** The overlay is repainted whole: it holds only the few taps waiting for the server. */
  #paintPending(): void {
    const overlay = this.#pendingCanvas;
    const ctx = overlay?.getContext("2d");
    if (!overlay || !ctx) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, overlay.width, overlay.height);
    overlay.dataset.pendingCount = String(this.#pendingTaps.length);
    overlay.hidden = this.#pendingTaps.length === 0;
    const k = overlay.width / BOARD_WIDTH;
    ctx.globalAlpha = PENDING_ALPHA;
    this.paintCircles(ctx, k, this.#pendingTaps);
    ctx.globalAlpha = 1;
    ctx.setTransform(k, 0, 0, k, 0, 0);
    ctx.strokeStyle = PENDING_RING;
    ctx.lineWidth = PENDING_RING_WIDTH;
    ctx.setLineDash(PENDING_DASH);
    for (const circle of this.#pendingTaps) {
      ctx.beginPath();
      ctx.arc(circle.x, circle.y, Math.max(0, circle.dia / 2 - PENDING_RING_WIDTH / 2), 0, Math.PI * 2);
      ctx.stroke();
    }
  }

  /** Moving the window to a screen of another density changes devicePixelRatio without resizing anything. */
  #watchPixelRatio(): void {
    let query: MediaQueryList | null = null;
    const onChange = () => {
      this.#resize();
      listen();
    };
    const listen = () => {
      query?.removeEventListener("change", onChange);
      query = matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`);
      query.addEventListener("change", onChange);
    };
    listen();
    this.#cleanups.push(() => query?.removeEventListener("change", onChange));
  }

  #render(): void {
    this.#frame = 0;
    const ctx = this.#ctx;
    if (this.#fullRedraw) {
      this.paintBackground(ctx);
      for (const circle of this.#state.values()) this.#draw(circle);
    } else {
      if (this.#patches.length > 0) this.#repaint(this.#patches, this.#pending);
      for (const circle of this.#pending) this.#draw(circle);
    }
    this.#fullRedraw = false;
    this.#pending.clear();
    this.#patches = [];
    const count = this.#state.size;
    this.#canvas.dataset.circleCount = String(count);
    this.#onRender?.(count);
  }

  /**
   * Repaint the patches from scratch: background, then every remaining
   * circle that touches one, in order, clipped to them all: one pass over
   * the board however many circles went. Circles still pending are left for
   * the caller to paint on top, where they belong.
   */
  #repaint(patches: readonly Patch[], pending: ReadonlySet<Circle>): void {
    const ctx = this.#ctx;
    const k = this.#scale;
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.beginPath();
    for (const patch of patches) ctx.rect(patch.x0, patch.y0, patch.x1 - patch.x0, patch.y1 - patch.y0);
    ctx.clip();
    ctx.fillStyle = BACKGROUND_FILL;
    for (const patch of patches) ctx.fillRect(patch.x0, patch.y0, patch.x1 - patch.x0, patch.y1 - patch.y0);
    // The patches in logical units, to find the circles that touch them, widened
    // by a device pixel for the antialiased rim of a circle just outside.
    const bounds = patches.map((patch) => ({
      left: (patch.x0 - 1) / k,
      top: (patch.y0 - 1) / k,
      right: (patch.x1 + 1) / k,
      bottom: (patch.y1 + 1) / k,
    }));
    // Plain loops: this runs over every circle on the board, in a frame that is already busy.
    for (const circle of this.#state.values()) {
      const r = circle.dia / 2;
      const left = circle.x - r;
      const right = circle.x + r;
      const top = circle.y - r;
      const bottom = circle.y + r;
      for (const b of bounds) {
        if (right < b.left || left > b.right || bottom < b.top || top > b.bottom) continue;
        if (!pending.has(circle)) this.#draw(circle);
        break;
      }
    }
    ctx.restore();
  }

  #draw(circle: Circle, ctx = this.#ctx, k = this.#scale): void {
    const paint = this.#paintFor(circle);
    const radius = Math.max(0, circle.dia / 2);

    ctx.setTransform(k, 0, 0, k, 0, 0);
    ctx.beginPath();
    ctx.arc(circle.x, circle.y, radius, 0, Math.PI * 2);
    ctx.fillStyle = paint.fill;
    ctx.fill();

    const label = circle.initials;
    if (!label) return;
    const size = this.#labelSize(circle);
    if (size * k < MIN_LABEL_DEVICE_PX) return;
    const s = (size / FONT_PX) * k;
    ctx.setTransform(s, 0, 0, s, circle.x * k, circle.y * k);
    ctx.fillStyle = paint.label;
    ctx.fillText(label, 0, this.#capHeight / 2);
  }

  /** Font size in logical units: about 40% of the diameter, narrower for wider labels. */
  #labelSize(circle: Circle): number {
    return Math.min(circle.dia * 0.42, (circle.dia * 0.74 * FONT_PX) / this.#labelWidth(circle.initials));
  }

  #paintFor(circle: Circle): Paint {
    let paint = this.#paints.get(circle);
    if (!paint) {
      const parsed = parseColour(circle.rgba);
      paint = {
        // A colour the browser would not understand is drawn grey rather than in the last colour used.
        fill: parsed ? `rgba(${parsed.r}, ${parsed.g}, ${parsed.b}, ${parsed.a})` : "rgba(148, 163, 184, 0.8)",
        label: labelColourFor(parsed, BOARD_BACKGROUND),
      };
      this.#paints.set(circle, paint);
    }
    return paint;
  }

  #measureFont(): void {
    this.#setFont();
    const metrics = this.#ctx.measureText("HM0");
    if (metrics.actualBoundingBoxAscent > 0) this.#capHeight = metrics.actualBoundingBoxAscent;
  }

  #setFont(ctx = this.#ctx): void {
    ctx.font = FONT;
    ctx.textAlign = "center";
    ctx.textBaseline = "alphabetic";
  }

  #labelWidth(label: string): number {
    let width = this.#labelWidths.get(label);
    if (width === undefined) {
      width = Math.max(1, this.#ctx.measureText(label).width);
      if (this.#labelWidths.size > 2000) this.#labelWidths.clear();
      this.#labelWidths.set(label, width);
    }
    return width;
  }
}
