/**
 * The circles on this board as this browser knows them: the last snapshot plus
 * every live change since. Circles are kept in drawing order (oldest first)
 * and keyed by id, so a circle heard twice is stored once. Only the server's
 * broadcasts change it (see main.ts), never the answers to our own requests.
 */
import type { Circle } from "../../../lib/protocol/events.js";

/**
 * What changed: one circle on top of the rest (cheap to draw), one circle gone
 * (redraw just where it was), or everything (redraw all).
 */
export type CirclesChange = { kind: "add"; circle: Circle } | { kind: "remove"; circle: Circle } | { kind: "reset" };

export type CirclesListener = (change: CirclesChange) => void;

/** Incoming data is checked before it is kept: a malformed circle is dropped, not drawn. */
function isCircle(value: unknown): value is Circle {
  if (typeof value !== "object" || value === null) return false;
  const c = value as Record<string, unknown>;
  return (
    typeof c.id === "string" &&
    typeof c.initials === "string" &&
    typeof c.rgba === "string" &&
    [c.x, c.y, c.dia].every((n) => typeof n === "number" && Number.isFinite(n))
  );
}

export class CirclesState {
  readonly #circles = new Map<string, Circle>();
  readonly #listeners = new Set<CirclesListener>();

  get size(): number {
    return this.#circles.size;
  }

  /** Drawing order, oldest first. Do not modify while iterating. */
  values(): IterableIterator<Circle> {
    return this.#circles.values();
  }

  has(id: string): boolean {
    return this.#circles.has(id);
  }

  /** A copy, safe to hand out. */
  list(): Circle[] {
    return [...this.#circles.values()].map((c) => ({ ...c }));
  }

  /** Replace everything with a snapshot from the server. */
  replace(circles: readonly unknown[]): void {
    this.#circles.clear();
    for (const circle of circles) if (isCircle(circle)) this.#circles.set(circle.id, circle);
    this.#notify({ kind: "reset" });
  }

  /** Add a circle unless it is already known; true when it was new. */
  add(circle: unknown): boolean {
    if (!isCircle(circle) || this.#circles.has(circle.id)) return false;
    this.#circles.set(circle.id, circle);
    this.#notify({ kind: "add", circle });
    return true;
  }

  remove(id: unknown): boolean {
    const circle = typeof id === "string" ? this.#circles.get(id) : undefined;
    if (!circle) return false;
    this.#circles.delete(circle.id);
    this.#notify({ kind: "remove", circle });
    return true;
  }

  /** A clear of an empty board changes nothing and redraws nothing. */
  clear(): boolean {
    if (this.#circles.size === 0) return false;
    this.#circles.clear();
    this.#notify({ kind: "reset" });
    return true;
  }

  subscribe(listener: CirclesListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #notify(change: CirclesChange): void {
    for (const listener of this.#listeners) listener(change);
  }
}
