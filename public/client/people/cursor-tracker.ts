/**
 * Other players' pointers, as the page knows them: the last position of
 * each, and when it last moved. A pointer goes when its player leaves the
 * list, or once it has been still for STILL_MS (the player went for coffee).
 */
import type { CursorMoves, PlayerDetails } from "../../../lib/protocol/events.js";

export const STILL_MS = 5_000;

export interface TrackedCursor {
  id: string;
  x: number;
  y: number;
  initials: string;
  colour: string;
  movedAt: number;
}

export class CursorTracker {
  readonly #cursors = new Map<string, TrackedCursor>();
  #players = new Map<string, PlayerDetails>();
  #self: string | null = null;

  /** The page's own id: its pointer is the real one, never drawn twice. */
  setSelf(id: string | null): void {
    this.#self = id;
    if (id !== null) this.#cursors.delete(id);
  }

  /** The board's players now: pointers of those gone go with them. */
  setPlayers(players: readonly PlayerDetails[]): void {
    this.#players = new Map(players.map((player) => [player.id, player]));
    for (const [id, cursor] of this.#cursors) {
      const player = this.#players.get(id);
      if (!player) this.#cursors.delete(id);
      else Object.assign(cursor, { initials: player.initials, colour: player.colour });
    }
  }

  moved(moves: CursorMoves, now: number): void {
    for (const { id, x, y } of moves.cursors) {
      const player = this.#players.get(id);
      if (!player || id === this.#self) continue;
      this.#cursors.set(id, { id, x, y, initials: player.initials, colour: player.colour, movedAt: now });
    }
  }

  /** The pointers to draw now, forgetting those still for too long. */
  visible(now: number): TrackedCursor[] {
    for (const [id, cursor] of this.#cursors) if (now - cursor.movedAt >= STILL_MS) this.#cursors.delete(id);
    return [...this.#cursors.values()];
  }
}

/**
 * Calls `send` with the latest value at most once per `intervalMs`: the
 * first at once, the last of a burst when the interval is up, so the final
 * position of a move is never lost.
 */
export function throttleLatest<T>(send: (value: T) => void, intervalMs: number, now: () => number = () => performance.now()) {
  let last = Number.NEGATIVE_INFINITY;
  let pending: { value: T } | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const fire = () => {
    timer = undefined;
    if (!pending) return;
    last = now();
    const { value } = pending;
    pending = undefined;
    send(value);
  };
  return (value: T) => {
    pending = { value };
    if (timer !== undefined) return;
    const wait = last + intervalMs - now();
    if (wait <= 0) fire();
    else timer = setTimeout(fire, wait);
  };
}
