/**
 * The line behind the write limit. The write limit answers each refused
 * write, which costs little, but a client that sends thousands of events at
 * once still makes the server read and answer every one of them before it
 * serves anyone else. So every event a connection sends is counted; past
 * `eventsPerSecond` they are answered "rate limited" without being handled,
 * and a connection that keeps
 * going well past that is cut off. Its address may not connect again for
 * `cooldownSeconds`, so that reconnecting does not buy a fresh allowance.
 */
import { counter, type SharedCounts } from "./rate-limit.js";

export type Verdict = "pass" | "drop" | "cut-off";

export interface FloodGuardOptions {
  /** Events a connection may send in one second. */
  eventsPerSecond: number;
  /** Events beyond `eventsPerSecond`, within that second, after which it is cut off. */
  cutOffAfter: number;
  cooldownSeconds: number;
  now?: () => number;
  /** With several nodes: an address cut off by one is kept out by all. */
  shared?: SharedCounts | undefined;
}

/** One connection's count of events in the current one-second window. */
export interface EventCounter {
  /** Count one event. Synchronous on purpose: a cut-off must happen before
   * the next event already read from the same network packet is handled. */
  count(): Verdict;
}

export interface FloodGuard {
  counter(): EventCounter;
  /** Keep `address` from connecting for the cool-down time. */
  coolDown(address: string): Promise<void>;
  isCoolingDown(address: string): Promise<boolean>;
}

export function createFloodGuard({ eventsPerSecond, cutOffAfter, cooldownSeconds, now = Date.now, shared }: FloodGuardOptions): FloodGuard {
  const cooling = counter("cooldown", 1, cooldownSeconds, shared);
  return {
    counter() {
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
    },
    async coolDown(address) {
      await cooling.block(address, cooldownSeconds);
    },
    async isCoolingDown(address) {
      const state = await cooling.get(address);
      return state !== null && state.consumedPoints > cooling.points;
    },
  };
}
