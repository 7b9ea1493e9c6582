/**
 * Per-sender write limits: about `perSecond` writes a second, with room for a
 * burst of `burst`. Built from rate-limiter-flexible's BurstyRateLimiter: a
 * one-second window of `perSecond` points, and a ten-second reserve of
 * `burst - perSecond` points used only when the window runs out.
 *
 * With several nodes the counts live in Redis, so that an address gets one
 * allowance however many nodes it reaches; while Redis cannot be reached,
 * each node counts on its own (rate-limiter-flexible's insurance limiter)
 * rather than refusing everyone or letting everyone through.
 */
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { RedisClient } from "../ops/redis-client.js";

export interface RateLimitOptions {
  perSecond: number;
  burst: number;
}

export interface WriteLimiter {
  /** Take one write from `key`'s allowance; false when it has none left. */
  tryConsume(key: string): Promise<boolean>;
}

/** Where the counts of several nodes are kept, and under which key prefix (one per limiter). */
export interface SharedCounts {
  redis: RedisClient;
  prefix: string;
}

const BURST_REFILL_SECONDS = 10;

/** A limiter of `points` per `duration` seconds, in memory or shared through Redis. */
export function counter(name: string, points: number, duration: number, shared?: SharedCounts): RateLimiterAbstract {
  const memory = new RateLimiterMemory({ keyPrefix: name, points, duration });
  if (!shared) return memory;
  return new RateLimiterRedis({
    storeClient: shared.redis,
    useRedisPackage: true,
    // A command to a Redis that is down would wait in the client's queue until it is back: count in memory instead.
    rejectIfRedisNotReady: true,
    keyPrefix: `${shared.prefix}:${name}`,
    points,
    duration,
    insuranceLimiter: memory,
  });
}

export function createWriteLimiter({ perSecond, burst }: RateLimitOptions, shared?: SharedCounts): WriteLimiter {
  const steady = counter("steady", perSecond, 1, shared);
  const reserve = counter("burst", Math.max(burst - perSecond, 0), BURST_REFILL_SECONDS, shared);
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
