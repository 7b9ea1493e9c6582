import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { connectTestRedis, removeRedisKeys, testRedisPrefix } from "../../test/support/redis.js";
import { createFloodGuard, type EventCounter, type FloodGuard } from "./flood-guard.js";

/** For counters that must never hold an event. */
const never = () => {
  throw new Error("a counter not on probation held an event");
};

describe("flood guard", () => {
  it("passes events up to the budget, drops the next ones, then cuts off", () => {
    const time = 0;
    const guard = createFloodGuard({ eventsPerSecond: 3, cutOffAfter: 2, cooldownSeconds: 30, now: () => time });
    const counter = guard.counter({});
    const verdicts = Array.from({ length: 7 }, () => counter.count(never));
    expect(verdicts).toEqual(["pass", "pass", "pass", "drop", "drop", "cut-off", "cut-off"]);
  });

  it("starts a fresh count each second, and counts each connection apart", () => {
    let time = 0;
    const guard = createFloodGuard({ eventsPerSecond: 1, cutOffAfter: 5, cooldownSeconds: 30, now: () => time });
    const first = guard.counter({});
    const second = guard.counter({});
    expect([first.count(never), first.count(never)]).toEqual(["pass", "drop"]);
    expect(second.count(never)).toBe("pass");
    time += 999;
    expect(first.count(never)).toBe("drop");
    time += 1;
    expect(first.count(never)).toBe("pass");
  });

  it("puts new connections from a cut-off address on probation, and only from that address", async () => {
    const guard = createFloodGuard({ eventsPerSecond: 1, cutOffAfter: 1, cooldownSeconds: 30 });
    const before = {};
    expect(await guard.admit(before, "10.0.0.1")).toBe(false);
    await guard.coolDown("10.0.0.1");
    const during = {};
    const elsewhere = {};
    expect(await guard.admit(during, "10.0.0.1")).toBe(true);
    expect(await guard.admit(elsewhere, "10.0.0.2")).toBe(false);
    // Connections made before the cool-down, or from elsewhere, keep their whole allowance.
    expect(guard.counter(before).count(never)).toBe("pass");
    expect(guard.counter(elsewhere).count(never)).toBe("pass");
    expect(guard.counter(during).count(() => undefined)).toBe("hold");
  });

  it("lets the address back after the cool-down", async () => {
    const guard = createFloodGuard({ eventsPerSecond: 1, cutOffAfter: 1, cooldownSeconds: 1 });
    await guard.coolDown("10.0.0.1");
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await guard.admit({}, "10.0.0.1")).toBe(false);
  });
});

describe("a connection on probation", () => {
  // 10 events a second: one earned every 100 ms. The fake clock drives both `now` and the timers.
  const RATE = 10;
  const WAITING = 5;
  let guard: FloodGuard;

  beforeEach(async () => {
    vi.useFakeTimers({ now: 0 });
    guard = createFloodGuard({ eventsPerSecond: RATE, cutOffAfter: WAITING, cooldownSeconds: 30 });
    await guard.coolDown("10.0.0.1");
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  async function onProbation(): Promise<EventCounter> {
    const connection = {};
    expect(await guard.admit(connection, "10.0.0.1")).toBe(true);
    return guard.counter(connection);
  }

  /** Counts `n` events at once; `handled` lists them, by number, as they are handled. */
  function send(counter: EventCounter, n: number, handled: number[], from = 0) {
    return Array.from({ length: n }, (_, i) => {
      const verdict = counter.count(() => handled.push(from + i));
      if (verdict === "pass") handled.push(from + i);
      return verdict;
    });
  }

  it("starts with nothing banked: its first events wait their turn, one per 1/eventsPerSecond s, in order", async () => {
    const counter = await onProbation();
    const handled: number[] = [];
    expect(send(counter, 3, handled)).toEqual(["hold", "hold", "hold"]);
    await vi.advanceTimersByTimeAsync(99);
    expect(handled).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(handled).toEqual([0]);
    await vi.advanceTimersByTimeAsync(200);
    expect(handled).toEqual([0, 1, 2]);
  });

  it("banks at most one second's worth while quiet", async () => {
    const counter = await onProbation();
    await vi.advanceTimersByTimeAsync(5000);
    const handled: number[] = [];
    expect(send(counter, RATE + 1, handled)).toEqual([...Array<string>(RATE).fill("pass"), "hold"]);
    await vi.advanceTimersByTimeAsync(100);
    expect(handled).toHaveLength(RATE + 1);
  });

  it("is cut off with more than cutOffAfter events waiting, and none of them is handled", async () => {
    const counter = await onProbation();
    const handled: number[] = [];
    expect(send(counter, WAITING + 2, handled)).toEqual([...Array<string>(WAITING).fill("hold"), "cut-off", "cut-off"]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(handled).toEqual([]);
    expect(counter.count(never)).toBe("cut-off");
  });

  it("never holds an honest pace long, nor cuts it off", async () => {
    const counter = await onProbation();
    const handled: number[] = [];
    // Three events a second for a minute, the first two at once (registering, then a circle).
    const verdicts = send(counter, 2, handled);
    for (let i = 2; i < 180; i++) {
      await vi.advanceTimersByTimeAsync(333);
      verdicts.push(...send(counter, 1, handled, i));
    }
    expect(verdicts).not.toContain("cut-off");
    expect(handled).toEqual(Array.from({ length: 180 }, (_, i) => i));
  });

  it("handles a steady flood at the sustained rate only, then cuts it off", async () => {
    const counter = await onProbation();
    const handled: number[] = [];
    const verdicts: string[] = [];
    // Twice the rate, one event every 50 ms: the queue grows by one every 100 ms.
    while (!verdicts.includes("cut-off") && Date.now() < 2000) {
      verdicts.push(...send(counter, 1, handled, verdicts.length));
      await vi.advanceTimersByTimeAsync(50);
    }
    // Five waiting at 400 ms, so the one sent at 450 ms cuts it off; one was handled every 100 ms until then.
    expect(verdicts).toHaveLength(10);
    expect(verdicts.at(-1)).toBe("cut-off");
    expect(handled).toEqual([0, 1, 2, 3]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(handled).toEqual([0, 1, 2, 3]);
  });

  it("lets no event overtake one held before it, even when the timer runs late", async () => {
    const counter = await onProbation();
    const handled: number[] = [];
    expect(send(counter, 1, handled)).toEqual(["hold"]);
    // The clock moves on, and the timer has not fired yet (a busy event loop).
    vi.setSystemTime(1000);
    expect(send(counter, 2, handled, 1)).toEqual(["hold", "hold"]);
    await vi.advanceTimersByTimeAsync(100);
    expect(handled).toEqual([0, 1, 2]);
  });

  it("gets a flooder that reconnects at once no more than the sustained rate, however often", async () => {
    const handled: number[] = [];
    let connections = 0;
    // Each new connection floods as soon as it is in (a handshake takes a few ms) and is cut off.
    while (Date.now() < 3000) {
      const counter = await onProbation();
      connections++;
      expect(send(counter, 100, handled).filter((v) => v === "cut-off")).toHaveLength(100 - WAITING);
      await vi.advanceTimersByTimeAsync(5);
    }
    expect(connections).toBeGreaterThan(500);
    expect(handled.length).toBeLessThanOrEqual((Date.now() / 1000) * RATE);
  });
});

describe("createFloodGuard shared through Redis (the machine's, 127.0.0.1:6379)", () => {
  it("puts new connections from an address cut off by one node on probation on every node that shares the count", async () => {
    const prefix = testRedisPrefix();
    const redis = await connectTestRedis();
    try {
      const options = { eventsPerSecond: 10, cutOffAfter: 10, cooldownSeconds: 30, shared: { redis, prefix } };
      const [nodeA, nodeB] = [createFloodGuard(options), createFloodGuard(options)];
      await nodeA.coolDown("203.0.113.9");
      const [there, elsewhere] = [{}, {}];
      expect(await nodeB.admit(there, "203.0.113.9")).toBe(true);
      expect(await nodeB.admit(elsewhere, "203.0.113.10")).toBe(false);
      expect(nodeB.counter(there).count(() => undefined)).toBe("hold");
      expect(nodeB.counter(elsewhere).count(never)).toBe("pass");
    } finally {
      await redis.close();
      await removeRedisKeys(prefix);
    }
  });
});
