/**
 * A read-only window onto the client's state, for tests and for curious
 * players in the console: `circlesDebug.circles()` etc. Everything returned is
 * a copy.
 */
import type { Circle } from "../../lib/protocol/events.js";

export interface CirclesDebug {
  readonly board: string;
  circles(): Circle[];
  /** This page's taps not on the board yet, drawn pending over it, oldest first (`createdAt`: when tapped). */
  pending(): Circle[];
  players(): string[];
  initials(): string | null;
  connected(): boolean;
  /** How many circles the last frame drew (matches `data-circle-count` on the canvas). */
  rendered(): number;
  /** The last change applied (protocol 2's seq); undefined before the board loaded. */
  seq(): number | undefined;
  /** When the last frame that drew anything finished drawing (for the browser benchmark). */
  lastRender(): RenderTiming | null;
}

export interface RenderTiming {
  /** Circles on the board in that frame. */
  circles: number;
  /** `performance.now()` when it finished drawing. */
  at: number;
}

declare global {
  interface Window {
    readonly circlesDebug?: CirclesDebug;
  }
}

export function exposeDebug(debug: CirclesDebug): void {
  Object.defineProperty(window, "circlesDebug", {
    value: Object.freeze({ ...debug }),
    writable: false,
    configurable: false,
    enumerable: false,
  });
}
