/**
 * A board as this process serves it: the stored board plus every change
 * since, applied strictly in seq order, with the last changes kept so that a
 * client which missed a few can be sent just those. Snapshots are built once
 * per version and shared by every reader.
 *
 * It takes changes as stored (circles with their owners) and keeps the
 * owners apart, so that what it gives out for clients (changes applied,
 * snapshots, changes missed) never carries one. It also holds the board's
 * host settings, rules and removed players, which are not numbered changes.
 */
import type { BoardEvent, BoardHost, BoardSnapshot, Circle, RemovedPlayer, RoomRules, StoredCircle, StoredEvent } from "../protocol/events.js";
import { DEFAULT_RULES, type StoredBoard } from "../store/board-store.js";

/** Changes kept for clients that come back: a class's Wi-Fi blip, not a night away. */
export const RECENT_EVENTS = 1000;

export class LiveBoard {
  readonly name: string;
  #seq: number;
  readonly #circles = new Map<string, Circle>();
  /** Each owned circle's owner, by id, in the circles' order. */
  readonly #owners = new Map<string, string>();
  /** The last changes applied, oldest first; at most RECENT_EVENTS. */
  #recent: BoardEvent[] = [];
  /** Changes that arrived ahead of a missing seq, by seq. */
  readonly #early = new Map<number, StoredEvent>();
  /** Set by `BoardService` as the board's host settings change. */
  host: BoardHost | undefined;
  /** Who may draw and chat; set by `BoardService` as they change. */
  rules: RoomRules;
  /** The players the host removed (with their owners, for keeping them out); set by `BoardService`. */
  removed: readonly RemovedPlayer[];
  #snapshot: BoardSnapshot | undefined;
  #circlesJson: string | undefined;

  constructor(name: string, stored: StoredBoard) {
    this.name = name;
    this.#seq = stored.seq;
    for (const circle of stored.circles) this.#keep(circle);
    this.host = stored.host;
    this.rules = stored.rules ?? DEFAULT_RULES;
    this.removed = stored.removed ?? [];
  }

  get seq(): number {
    return this.#seq;
  }

  get size(): number {
    return this.#circles.size;
  }

  /**
   * Apply changes; returns those that took effect, in seq order. Changes
   * already reflected are skipped, and one that arrives before its
   * predecessor waits for it, so every caller sees one order.
   */
  apply(events: readonly StoredEvent[]): BoardEvent[] {
    for (const event of events) if (event.seq > this.#seq) this.#early.set(event.seq, event);
    const applied: BoardEvent[] = [];
    for (let next = this.#early.get(this.#seq + 1); next !== undefined; next = this.#early.get(this.#seq + 1)) {
      this.#early.delete(next.seq);
      this.#seq = next.seq;
      if (next.type === "add") {
        applied.push({ seq: next.seq, type: "add", circle: this.#keep(next.circle) });
        continue;
      }
      if (next.type === "remove") {
        this.#circles.delete(next.id);
        this.#owners.delete(next.id);
      } else {
        this.#circles.clear();
        this.#owners.clear();
      }
      applied.push(next);
    }
    if (applied.length > 0) {
      this.#snapshot = undefined;
      this.#circlesJson = undefined;
      this.#recent.push(...applied);
      if (this.#recent.length > RECENT_EVENTS) this.#recent = this.#recent.slice(-RECENT_EVENTS);
    }
    return applied;
  }

  /** True while changes wait for one that has not arrived (another node's, lost on its way). */
  get waiting(): boolean {
    return this.#early.size > 0;
  }

  /**
   * Catch up from the store when a change never arrived: the board becomes
   * `stored` (read after the gap was seen), and the changes waiting beyond it
   * are applied on top. The changes in between are not known one by one, so
   * clients must be sent the whole board, and a returning client from before
   * `stored` gets a snapshot. False, and nothing changed, when the store is
   * not ahead of this copy (it cannot fill the gap yet).
   */
  replace(stored: StoredBoard): boolean {
    if (stored.seq <= this.#seq) return false;
    this.#seq = stored.seq;
    this.#circles.clear();
    this.#owners.clear();
    for (const circle of stored.circles) this.#keep(circle);
    this.takeSettings(stored);
    this.#recent = [];
    this.#snapshot = undefined;
    this.#circlesJson = undefined;
    const waiting = [...this.#early.values()];
    this.#early.clear();
    this.apply(waiting);
    return true;
  }

  /** Take the stored board's host, rules and removed players, which are not numbered changes. */
  takeSettings(stored: StoredBoard): void {
    this.host = stored.host;
    this.rules = stored.rules ?? DEFAULT_RULES;
    this.removed = stored.removed ?? [];
  }

  /** Whether the player key with this hash was removed from the board. */
  isRemoved(owner: string | undefined): boolean {
    return owner !== undefined && this.removed.some((player) => player.owner === owner);
  }

  /** Whether the board has this circle. */
  has(id: string): boolean {
    return this.#circles.has(id);
  }

  /** The circle's owner; undefined for a circle nobody owns, or none. */
  ownerOf(id: string): string | undefined {
    return this.#owners.get(id);
  }

  /** The id of the newest circle `owner` owns, passing over those in `skip`. */
  newestOf(owner: string, skip: ReadonlySet<string>): string | undefined {
    const owned = [...this.#owners];
    for (let i = owned.length - 1; i >= 0; i--) {
      const [id, of] = owned[i] as [string, string];
      if (of === owner && !skip.has(id)) return id;
    }
    return undefined;
  }

  /** Keeps the circle, its owner apart; returns it as clients see it. */
  #keep(stored: StoredCircle): Circle {
    if (stored.owner === undefined) {
      this.#circles.set(stored.id, stored);
      return stored;
    }
    const { owner, ...circle } = stored;
    this.#circles.set(circle.id, circle);
    this.#owners.set(circle.id, owner);
    return circle;
  }

  /** The whole board; the same object until the next change, so callers must not modify it. */
  snapshot(): BoardSnapshot {
    this.#snapshot ??= { board: this.name, seq: this.#seq, circles: [...this.#circles.values()] };
    return this.#snapshot;
  }

  /** The circles as JSON text, built once per version for the REST API. */
  circlesJson(): string {
    this.#circlesJson ??= JSON.stringify(this.snapshot().circles);
    return this.#circlesJson;
  }

  /**
   * What a client that has applied everything up to `since` is missing, when
   * sending that costs no more than the whole board; undefined when it would,
   * when those changes are no longer kept, or when `since` is from a board
   * this one is not (ahead of it: the store was replaced).
   */
  since(since: number): BoardEvent[] | undefined {
    if (since > this.#seq) return undefined;
    const missed = this.#seq - since;
    if (missed === 0) return [];
    if (missed > this.#recent.length || missed > this.#circles.size) return undefined;
    return this.#recent.slice(-missed);
  }
}
