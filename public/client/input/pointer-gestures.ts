/**
 * Tells taps from drags and pinches, fed one pointer sample at a time (plain:
 * viewport-controller.ts feeds it Pointer Events). A tap is one pointer that
 * went down and up without moving more than TAP_SLOP_PX, quickly for a finger
 * or pen, and was never joined by a second one: the only thing that adds a
 * circle. Anything else moves the camera: one pointer drags, two pinch (zoom
 * about the point between them while it pans with them), and a pinch never
 * turns back into a tap when fingers lift.
 */
import type { Point } from "./viewport.js";

export interface PointerSample {
  id: number;
  x: number;
  y: number;
  /** Milliseconds, on any clock that only goes forward. */
  time: number;
  /** As in PointerEvent.pointerType: "mouse", "touch", "pen". */
  type: string;
}

export type Gesture =
  | { kind: "tap"; x: number; y: number }
  /** Since the last move: what was under `from` is now under `to`, `ratio` times as large. */
  | { kind: "move"; from: Point; to: Point; ratio: number }
  /** The last pointer of a drag or pinch lifted. */
  | { kind: "end" };

/** How far a press may wander and still be a tap: finger jitter, not a drag. */
export const TAP_SLOP_PX = 10;
/** A finger or pen held longer than this is not a tap (a mouse click may be slow). */
export const TAP_MAX_MS = 500;

type Phase = "idle" | "pressed" | "dragging" | "pinching";

export class GestureTracker {
  /** Where each pointer down now is, in the order they went down. */
  readonly #pointers = new Map<number, Point>();
  #phase: Phase = "idle";
  #origin: PointerSample | null = null;

  down(sample: PointerSample): Gesture | null {
    this.#pointers.set(sample.id, { x: sample.x, y: sample.y });
    if (this.#pointers.size === 1) {
      this.#phase = "pressed";
      this.#origin = sample;
    } else {
      this.#phase = "pinching";
    }
    return null;
  }

  move(sample: PointerSample): Gesture | null {
    const before = this.#pointers.get(sample.id);
    if (!before) return null;
    const pair = this.#pair();
    this.#pointers.set(sample.id, { x: sample.x, y: sample.y });
    const now = { x: sample.x, y: sample.y };

    if (this.#phase === "pressed") {
      const origin = this.#origin ?? sample;
      if (Math.hypot(sample.x - origin.x, sample.y - origin.y) <= TAP_SLOP_PX) return null;
      this.#phase = "dragging";
      // From where it went down, so the board catches up with the finger.
      return { kind: "move", from: { x: origin.x, y: origin.y }, to: now, ratio: 1 };
    }
    if (this.#phase === "dragging") return { kind: "move", from: before, to: now, ratio: 1 };
    if (this.#phase === "pinching" && pair) {
      const [a, b] = pair;
      if (a.id !== sample.id && b.id !== sample.id) return null;
      const after = this.#pair();
      if (!after) return null;
      const distance = span(a.point, b.point);
      if (distance === 0) return null;
      return {
        kind: "move",
        from: middle(a.point, b.point),
        to: middle(after[0].point, after[1].point),
        ratio: span(after[0].point, after[1].point) / distance,
      };
    }
    return null;
  }

  up(sample: PointerSample): Gesture | null {
    if (!this.#pointers.has(sample.id)) return null;
    const origin = this.#origin;
    if (this.#phase === "pressed" && origin && this.#isTap(origin, sample)) {
      this.#reset();
      return { kind: "tap", x: origin.x, y: origin.y };
    }
    return this.#lift(sample.id);
  }

  /** The browser took the pointer over (or it left): never a tap. */
  cancel(sample: PointerSample): Gesture | null {
    if (!this.#pointers.has(sample.id)) return null;
    return this.#lift(sample.id);
  }

  #isTap(origin: PointerSample, sample: PointerSample): boolean {
    if (Math.hypot(sample.x - origin.x, sample.y - origin.y) > TAP_SLOP_PX) return false;
    return sample.type === "mouse" || sample.time - origin.time <= TAP_MAX_MS;
  }

  #lift(id: number): Gesture | null {
    this.#pointers.delete(id);
    if (this.#pointers.size > 0) {
      // One finger left of a pinch carries on dragging from where it is.
      if (this.#phase === "pinching" && this.#pointers.size === 1) this.#phase = "dragging";
      return null;
    }
    const moved = this.#phase === "dragging" || this.#phase === "pinching";
    this.#reset();
    return moved ? { kind: "end" } : null;
  }

  #reset(): void {
    this.#pointers.clear();
    this.#phase = "idle";
    this.#origin = null;
  }

  /** The first two pointers down: the ones a pinch follows. */
  #pair(): [{ id: number; point: Point }, { id: number; point: Point }] | null {
    const [a, b] = [...this.#pointers].slice(0, 2);
    return a && b
      ? [
          { id: a[0], point: a[1] },
          { id: b[0], point: b[1] },
        ]
      : null;
  }
}

function middle(a: Point, b: Point): Point {
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}

function span(a: Point, b: Point): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}
