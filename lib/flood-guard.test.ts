import { describe, expect, it } from "vitest";
import { connectTestRedis, removeRedisKeys, testRedisPrefix } from "../test/support/redis.js";
import { createFloodGuard } from "./flood-guard.js";

describe("flood guard", () => {
  it("passes events up to the budget, drops the next ones, then cuts off", () => {
    const time = 0;
    const guard = createFloodGuard({ eventsPerSecond: 3, cutOffAfter: 2, cooldownSeconds: 30, now: () => time });
    const counter = guard.counter();
    const verdicts = Array.from({ length: 7 }, () => counter.count());
    expect(verdicts).toEqual(["pass", "pass", "pass", "drop", "drop", "cut-off", "cut-off"]);
  });

  it("starts a fresh count each second, and counts each connection apart", () => {
    let time = 0;
    const guard = createFloodGuard({ eventsPerSecond: 1, cutOffAfter: 5, cooldownSeconds: 30, now: () => time });
    const first = guard.counter();
    const second = guard.counter();
    expect([first.count(), first.count()]).toEqual(["pass", "drop"]);
    expect(second.count()).toBe("pass");
    time += 999;
    expect(first.count()).toBe("drop");
    time += 1;
    expect(first.count()).toBe("pass");
  });

  it("keeps a cut-off address cooling down, and only that address", async () => {
    const guard = createFloodGuard({ eventsPerSecond: 1, cutOffAfter: 1, cooldownSeconds: 30 });
    expect(await guard.isCoolingDown("10.0.0.1")).toBe(false);
    await guard.coolDown("10.0.0.1");
    expect(await guard.isCoolingDown("10.0.0.1")).toBe(true);
    expect(await guard.isCoolingDown("10.0.0.2")).toBe(false);
  });

  it("lets the address back after the cool-down", async () => {
    const guard = createFloodGuard({ eventsPerSecond: 1, cutOffAfter: 1, cooldownSeconds: 1 });
    await guard.coolDown("10.0.0.1");
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await guard.isCoolingDown("10.0.0.1")).toBe(false);
  });
});

describe("createFloodGuard shared through Redis (the machine's, 127.0.0.1:6379)", () => {
  it("keeps an address cut off by one node out of every node that shares the count", async () => {
    const prefix = testRedisPrefix();
    const redis = await connectTestRedis();
    try {
      const options = { eventsPerSecond: 10, cutOffAfter: 10, cooldownSeconds: 30, shared: { redis, prefix } };
      const [nodeA, nodeB] = [createFloodGuard(options), createFloodGuard(options)];
      await nodeA.coolDown("203.0.113.9");
      expect(await nodeB.isCoolingDown("203.0.113.9")).toBe(true);
      expect(await nodeB.isCoolingDown("203.0.113.10")).toBe(false);
    } finally {
      await redis.close();
      await removeRedisKeys(prefix);
    }
  });
});

