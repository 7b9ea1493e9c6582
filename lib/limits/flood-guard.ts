/**
 * The line behind the write limit. The write limit answers each refused
 * write, which costs little, but a client that sends thousands of events at
 * once still makes the server read and answer every one of them before it
 * serves anyone else. So every event a connection sends is counted; past
 * `eventsPerSecond` they are answered "rate limited" without being handled,
 * and a connection that keeps going well past that is cut off.
 *
 * Its address then cools down for `cooldownSeconds`, so that reconnecting
 * does not buy a fresh allowance. The address is not refused: a class behind
 * one NAT shares it, and one auto-clicker must not keep the others out.
 * Connections made from it meanwhile are on probation instead: they start
 * with nothing to spend and earn events at the sustained rate, an event not
 * yet earned waits its turn rather than being refused, and one with more than
 * `cutOffAfter` events waiting is cut off. A classmate sending a few events a
 * second waits milliseconds at most; a flooder that reconnects is cut off
 * again before any of its flood is handled, and however often it reconnects
 * gets no more than the sustained rate.
 */
import { counter, type SharedCounts } from "./rate-limit.js";

/** "hold": the event is handled later, when it has been earned (on probation only). */
export type Verdict = "pass" | "hold" | "drop" | "cut-off";

export interface FloodGuardOptions {
  /** Events a connection may send in one second. */
  eventsPerSecond: number;
  /** Events beyond `eventsPerSecond` within that second (on probation: events waiting) after which it is cut off. */
  cutOffAfter: number;
  cooldownSeconds: number;
  now?: () => number;
  /** With several nodes: an address cut off by one is on probation on all. */
  shared?: SharedCounts | undefined;
}

/** One connection's count of the events it sends. */
export interface EventCounter {
  /**
   * Count one event: handle it now ("pass"), later ("hold": `later` is
   * called once it has been earned, after every event held before it), never
   * ("drop"), or end the connection ("cut-off"). Synchronous on purpose: a
   * cut-off must happen before the next event already read from the same
   * network packet is handled.
   */
  count(later: () => void): Verdict;
}

export interface FloodGuard {
  /** At the handshake: whether `connection`'s address is cooling down, which puts the connection on probation. */
  admit(connection: object, address: string): Promise<boolean>;
  /** The event counter of a connection `admit` saw. */
  counter(connection: object): EventCounter;
  /** Put new connections from `address` on probation for the cool-down time. */
  coolDown(address: string): Promise<void>;
}

export function createFloodGuard({ eventsPerSecond, cutOffAfter, cooldownSeconds, now = Date.now, shared }: FloodGuardOptions): FloodGuard {
  const cooling = counter("cooldown", 1, cooldownSeconds, shared);
  // Weak: each connection is forgotten with its socket.
  const onProbation = new WeakSet<object>();

  /** Up to `eventsPerSecond` events in each one-second window, counted from the first. */
  function windowCounter(): EventCounter {
    let windowStart = now();
    let events = 0;
    return {
      count() {
        const time = now();
        if (time - windowStart >= 1000) {
          windowStart = time;
          events = 0;
        }
        events++;
        if (events <= eventsPerSecond) return "pass";
        return events > eventsPerSecond + cutOffAfter ? "cut-off" : "drop";
      },
    };
  }

  /**
   * A bucket of up to `eventsPerSecond` events that starts empty and earns
   * one every 1000 / eventsPerSecond ms. Times are in ms × eventsPerSecond,
   * where each event costs exactly 1000, so no rounding builds up.
   */
  function probationCounter(): EventCounter {
    const clock = () => now() * eventsPerSecond;
    const capacity = eventsPerSecond * 1000;
    /** When the bucket will be full again if nothing more is spent; `capacity` from now is empty. */
    let full = clock() + capacity;
    const held: { due: number; handle: () => void }[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    let cut = false;

    const release = () => {
      const time = clock();
      while (held[0] && held[0].due <= time) held.shift()?.handle();
      // A timer may fire a little early by `now`'s reckoning: the rest waits for the next one.
      timer = held[0] ? setTimeout(release, (held[0].due - time) / eventsPerSecond) : undefined;
    };

    return {
      count(later) {
        if (cut) return "cut-off";
        const time = clock();
        // The moment the bucket holds one event, after every event spent before.
        const due = Math.max(time, full - capacity + 1000);
        // Held events go first even when their timer is late, so that none is overtaken.
        if (due === time && held.length === 0) {
          full = Math.max(full, time) + 1000;
          return "pass";
        }
        if (held.length >= cutOffAfter) {
          cut = true;
          held.length = 0;
          clearTimeout(timer);
          return "cut-off";
        }
        full = Math.max(full, due) + 1000;
        held.push({ due, handle: later });
        timer ??= setTimeout(release, (due - time) / eventsPerSecond);
        return "hold";
      },
    };
  }

  return {
    async admit(connection, address) {
      const state = await cooling.get(address);
      const probation = state !== null && state.consumedPoints > cooling.points;
      if (probation) onProbation.add(connection);
      return probation;
    },
    counter(connection) {
      return onProbation.has(connection) ? probationCounter() : windowCounter();
    },
    async coolDown(address) {
      await cooling.block(address, cooldownSeconds);
    },
  };
}
