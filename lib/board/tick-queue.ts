/**
 * Collects what is to be sent per key (a board) and hands it over at most
 * once per tick, so that a burst of changes costs one message per board per
 * tick instead of one per change, whatever the load. The tick has a leading
 * edge: a key that was handed nothing in the last tick is handed its items
 * at the end of the event-loop turn they arrived in, so that a quiet board
 * answers without waiting for a timer; after that, what arrives waits for
 * the tick to end. An idle key runs no timer at all. Without the leading
 * edge (`lead: false`), a quiet key's first item starts a tick and waits
 * for it, for what is worth a short wait to gather.
 */
export interface TickQueueOptions<K, V> {
  /**
   * How long a tick lasts, fixed or for each key (read as its tick starts);
   * "turn": no tick, everything goes at the end of the turn it arrived in.
   */
  tickMs: number | "turn" | ((key: K) => number);
  /** false: a quiet key's first items wait for a whole tick too. Default true. */
  lead?: boolean;
  /** Called once per key with everything queued for it since its last hand-over, in order. */
  flush: (key: K, items: V[]) => void;
  /** Told of a flush that threw; the other keys are still flushed. */
  onError?: (error: unknown, key: K) => void;
}

export class TickQueue<K, V> {
  readonly #options: TickQueueOptions<K, V>;
  #queued = new Map<K, V[]>();
  /** Keys handed something less than a tick ago: what they are sent waits for their timer. */
  readonly #ticking = new Map<K, NodeJS.Timeout>();
  /** Keys to hand over at the end of this turn (their leading edge). */
  #due = new Set<K>();
  #turn: NodeJS.Immediate | undefined;

  constructor(options: TickQueueOptions<K, V>) {
    this.#options = options;
  }

  add(key: K, ...items: V[]): void {
    const queued = this.#queued.get(key);
    if (queued) queued.push(...items);
    else this.#queued.set(key, items);
    if (this.#ticking.has(key) || this.#due.has(key)) return;
    const ms = this.#tickMs(key);
    if (this.#options.lead === false && ms > 0) {
      this.#ticking.set(
        key,
        setTimeout(() => this.#tickEnded(key), ms),
      );
      return;
    }
    this.#due.add(key);
    this.#turn ??= setImmediate(() => this.#endOfTurn());
  }

  #endOfTurn(): void {
    this.#turn = undefined;
    const due = this.#due;
    this.#due = new Set();
    for (const key of due) this.#send(key);
  }

  /** Hands the key's items over (if it has any) and starts its tick. */
  #send(key: K): void {
    const items = this.#queued.get(key);
    if (items === undefined) return;
    this.#queued.delete(key);
    this.#hand(key, items);
    // The tick starts once the hand-over is done: under load, sending takes time, and the time between sends grows with it.
    const ms = this.#tickMs(key);
    if (ms > 0)
      this.#ticking.set(
        key,
        setTimeout(() => this.#tickEnded(key), ms),
      );
  }

  #tickMs(key: K): number {
    const { tickMs } = this.#options;
    if (tickMs === "turn") return 0;
    return typeof tickMs === "function" ? tickMs(key) : tickMs;
  }

  #tickEnded(key: K): void {
    this.#ticking.delete(key);
    // Leading, the items go and a new tick starts; once a tick passes with none, the key is quiet again.
    if (this.#options.lead === false) this.flushKey(key);
    else this.#send(key);
  }

  /** Hand everything queued over now, and stop every tick (a shutdown). */
  flush(): void {
    if (this.#turn !== undefined) clearImmediate(this.#turn);
    this.#turn = undefined;
    this.#due = new Set();
    for (const timer of this.#ticking.values()) clearTimeout(timer);
    this.#ticking.clear();
    const queued = this.#queued;
    this.#queued = new Map();
    for (const [key, items] of queued) this.#hand(key, items);
  }

  #hand(key: K, items: V[]): void {
    try {
      this.#options.flush(key, items);
    } catch (error) {
      this.#options.onError?.(error, key);
    }
  }

  /** Hand over what is queued for `key` now, ahead of its tick (which goes on as it was). */
  flushKey(key: K): void {
    const items = this.#queued.get(key);
    if (!items) return;
    this.#queued.delete(key);
    this.#due.delete(key);
    this.#hand(key, items);
  }
}
