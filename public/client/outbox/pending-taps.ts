/**
 * The taps drawn before the board has them ("pending"). The board
 * (CirclesState) follows the server's broadcasts alone; these are drawn over
 * it until the same circle, with the same id, is there, so that a tap shows
 * at once and is never drawn twice. A pending tap goes:
 * - when the board applies its add (the server relayed it): the board's
 *   circle takes over;
 * - once answered, when the board has reached the answer's seq, whether its
 *   add is there or was removed since (someone cleared the board): the
 *   answer alone never puts a circle on the board;
 * - when it is refused, undone or too old.
 */
import type { Circle, CircleInput } from "../../../lib/protocol/events.js";

export class PendingTaps {
  readonly #taps = new Map<string, { circle: Circle; seq?: number }>();
  readonly #onChange: () => void;

  constructor(onChange: () => void) {
    this.#onChange = onChange;
  }

  /** Oldest first, as they are drawn. */
  list(): Circle[] {
    return Array.from(this.#taps.values(), (tap) => tap.circle);
  }

  /** A tap made, or taken up from storage, `at` (ms since the epoch). */
  tapped(id: string, circle: CircleInput, at: number): void {
    if (this.#taps.has(id)) return;
    this.#taps.set(id, { circle: { ...circle, id, createdAt: at } });
    this.#onChange();
  }

  /** The server took it as change `seq`; `boardSeq` is where the board is now. */
  acknowledged(id: string, seq: number, boardSeq: number | undefined): void {
    const tap = this.#taps.get(id);
    if (!tap) return;
    tap.seq = seq;
    this.boardAt(boardSeq);
  }

  /** Refused, undone or too old: it will never be on the board. */
  dropped(id: string): void {
    if (this.#taps.delete(id)) this.#onChange();
  }

  /** The board applied the add of this circle. */
  boardHas(id: string): void {
    this.dropped(id);
  }

  /** The board was replaced (a snapshot): the taps it has are drawn by it now. */
  boardShows(has: (id: string) => boolean): void {
    for (const id of [...this.#taps.keys()]) if (has(id)) this.dropped(id);
  }

  /** The board has applied every change up to `seq`: an answered tap is on it, or was removed since. */
  boardAt(seq: number | undefined): void {
    if (seq === undefined) return;
    for (const [id, tap] of [...this.#taps]) if (tap.seq !== undefined && tap.seq <= seq) this.dropped(id);
  }
}
