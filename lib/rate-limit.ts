/**
 * Per-sender write limits: about `perSecond` writes a second, with room for a
 * burst of `burst`. Built from rate-limiter-flexible's BurstyRateLimiter: a
 * one-second window of `perSecond` points, and a ten-second reserve of
 * `burst - perSecond` points used only when the window runs out.
 */
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";

export interface RateLimitOptions {
  perSecond: number;
  burst: number;
}

export interface WriteLimiter {
  /** Take one write from `key`'s allowance; false when it has none left. */
  tryConsume(key: string): Promise<boolean>;
}

const BURST_REFILL_SECONDS = 10;

export function createWriteLimiter({ perSecond, burst }: RateLimitOptions): WriteLimiter {
  const steady = new RateLimiterMemory({ keyPrefix: "steady", points: perSecond, duration: 1 });
  const reserve = new RateLimiterMemory({
    keyPrefix: "burst",
    points: Math.max(burst - perSecond, 0),
    duration: BURST_REFILL_SECONDS,
  });
  const limiter = new BurstyRateLimiter(steady, reserve);
  return {
    async tryConsume(key) {
      try {
        await limiter.consume(key);
        return true;
      } catch (rejection) {
        // The library rejects with a RateLimiterRes when the allowance is spent.
        if (rejection instanceof RateLimiterRes) return false;
        throw rejection;
      }
    },
  };
}
