/**
 * Collects what is to be sent per key (a board) and hands it over once per
 * tick, so that a burst of changes costs one message per board per tick
 * instead of one per change. A tick starts with the first item after a quiet
 * spell, so nothing waits longer than one tick, and an idle server runs no
 * timer at all.
 */
export interface TickQueueOptions<K, V> {
  /**
   * How long a tick lasts; "turn": until the end of the event loop's current
   * turn (setImmediate), so that everything that arrived in it goes out
   * together and nothing waits for a timer.
   */
  tickMs: number | "turn";
  /** Called once per key with everything queued for it during the tick, in order. */
  flush: (key: K, items: V[]) => void;
  /** Told of a flush that threw; the other keys are still flushed. */
  onError?: (error: unknown, key: K) => void;
}

export class TickQueue<K, V> {
  readonly #options: TickQueueOptions<K, V>;
  #queued = new Map<K, V[]>();
  #cancel: (() => void) | undefined;

  constructor(options: TickQueueOptions<K, V>) {
    this.#options = options;
  }

  add(key: K, ...items: V[]): void {
    const queued = this.#queued.get(key);
    if (queued) queued.push(...items);
    else this.#queued.set(key, items);
    this.#cancel ??= this.#schedule();
  }

  #schedule(): () => void {
    const { tickMs } = this.#options;
    if (tickMs === "turn") {
      const immediate = setImmediate(() => this.flush());
      return () => clearImmediate(immediate);
    }
    const timer = setTimeout(() => this.flush(), tickMs);
    return () => clearTimeout(timer);
  }

  /** Hand everything queued over now (also used by a shutdown). */
  flush(): void {
    this.#cancel?.();
    this.#cancel = undefined;
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

  /** Hand over what is queued for `key` now, ahead of the tick. */
  flushKey(key: K): void {
    const items = this.#queued.get(key);
    if (!items) return;
    this.#queued.delete(key);
    this.#hand(key, items);
  }
}
