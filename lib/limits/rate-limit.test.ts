import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectTestRedis, REDIS_URL, removeRedisKeys, testRedisPrefix } from "../../test/support/redis.js";
import { createWriteLimiter, type WriteLimiter } from "./rate-limit.js";

/** Try `count` writes of `key` at once; the answers in order. */
function attempts(limiter: WriteLimiter, key: string, count: number): Promise<boolean[]> {
  return Promise.all(Array.from({ length: count }, () => limiter.tryConsume(key)));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("createWriteLimiter", () => {
  it("allows a burst of `burst` immediate writes, then refuses", async () => {
    const limiter = createWriteLimiter({ perSecond: 2, burst: 5 });
    expect(await attempts(limiter, "k", 7)).toEqual([true, true, true, true, true, false, false]);
  });

  it("allows exactly `perSecond` writes when burst equals perSecond", async () => {
    const limiter = createWriteLimiter({ perSecond: 3, burst: 3 });
    expect(await attempts(limiter, "k", 5)).toEqual([true, true, true, false, false]);
  });

  it("keeps each key's allowance separate", async () => {
    const limiter = createWriteLimiter({ perSecond: 1, burst: 2 });
    expect(await attempts(limiter, "alice", 3)).toEqual([true, true, false]);
    expect(await attempts(limiter, "bob", 3)).toEqual([true, true, false]);
    expect(await limiter.tryConsume("alice")).toBe(false);
  });

  it("keeps separate limiters separate", async () => {
    const first = createWriteLimiter({ perSecond: 1, burst: 1 });
    const second = createWriteLimiter({ perSecond: 1, burst: 1 });
    expect(await first.tryConsume("k")).toBe(true);
    expect(await first.tryConsume("k")).toBe(false);
    expect(await second.tryConsume("k")).toBe(true);
  });

  it("gives the per-second allowance back after a second, but not the burst reserve", async () => {
    const limiter = createWriteLimiter({ perSecond: 1, burst: 2 });
    expect(await attempts(limiter, "k", 3)).toEqual([true, true, false]);
    await sleep(1_100);
    // The one-second window refilled; the ten-second reserve did not.
    expect(await attempts(limiter, "k", 2)).toEqual([true, false]);
  });
});

describe("createWriteLimiter shared through Redis (the machine's, 127.0.0.1:6379)", () => {
  const prefix = testRedisPrefix();
  let redis: Awaited<ReturnType<typeof connectTestRedis>>;
  beforeAll(async () => {
    redis = await connectTestRedis();
  });
  afterAll(async () => {
    await redis.close();
    await removeRedisKeys(prefix);
  });

  it("gives a key one allowance across the nodes that share it", async () => {
    const shared = { redis, prefix: `${prefix}:one` };
    const [nodeA, nodeB] = [createWriteLimiter({ perSecond: 2, burst: 5 }, shared), createWriteLimiter({ perSecond: 2, burst: 5 }, shared)];
    expect(await attempts(nodeA, "address", 3)).toEqual([true, true, true]);
    expect(await attempts(nodeB, "address", 3)).toEqual([true, true, false]);
    expect(await attempts(nodeB, "another", 1)).toEqual([true]);
  });

  it("keeps limiting, per node, while Redis cannot be reached", async () => {
    const lost = createClient({ url: REDIS_URL });
    await lost.connect();
    const limiter = createWriteLimiter({ perSecond: 2, burst: 5 }, { redis: lost, prefix: `${prefix}:lost` });
    await lost.close();
    expect(await attempts(limiter, "address", 7)).toEqual([true, true, true, true, true, false, false]);
  });
});
