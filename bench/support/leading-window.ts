/**
 * The bare relays' batching, as the server's (`lib/board/tick-queue.ts`)
 * but for one board and nothing else: what is queued goes at the end of the
 * turn when nothing was sent in the last `ms`, otherwise when the window
 * ends; the window starts once a send is done.
 */
export function leadingWindow<T>(ms: number, send: (items: T[]) => void): (item: T) => void {
  let queued: T[] = [];
  /** Set while a window is open: a send happened less than `ms` ago, or one is due at the end of this turn. */
  let window: NodeJS.Timeout | NodeJS.Immediate | undefined;
  const flush = () => {
    if (queued.length === 0) {
      window = undefined;
      return;
    }
    const items = queued;
    queued = [];
    send(items);
    window = setTimeout(flush, ms);
  };
  return (item) => {
    queued.push(item);
    window ??= setImmediate(flush);
  };
}
