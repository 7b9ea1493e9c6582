import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TickQueue } from "./tick-queue.js";

describe("TickQueue", () => {
  let flushed: [string, number[]][];
  let queue: TickQueue<string, number>;

  beforeEach(() => {
    vi.useFakeTimers();
    flushed = [];
    queue = new TickQueue({ tickMs: 33, flush: (key, items) => flushed.push([key, items]) });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("hands over everything queued during a tick once per key, in order, one tick after the first item", () => {
    queue.add("a", 1);
    vi.advanceTimersByTime(10);
    queue.add("b", 7);
    queue.add("a", 2, 3);
    vi.advanceTimersByTime(22);
    expect(flushed).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(flushed).toEqual([
      ["a", [1, 2, 3]],
      ["b", [7]],
    ]);
  });

  it("runs no timer while nothing is queued, so an idle tick sends nothing", () => {
    expect(vi.getTimerCount()).toBe(0);
    queue.add("a", 1);
    vi.advanceTimersByTime(33);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(1000);
    expect(flushed).toEqual([["a", [1]]]);
  });

  it("flushes everything, or one key, at once on demand, and nothing twice", () => {
    queue.add("a", 1);
    queue.add("b", 2);
    queue.flushKey("b");
    expect(flushed).toEqual([["b", [2]]]);
    queue.flush();
    expect(flushed).toEqual([
      ["b", [2]],
      ["a", [1]],
    ]);
    vi.advanceTimersByTime(100);
    expect(flushed).toHaveLength(2);
  });

  it("flushes the other keys when one flush throws, and reports it", () => {
    const errors: [unknown, string][] = [];
    const failing = new TickQueue<string, number>({
      tickMs: 33,
      flush: (key, items) => {
        if (key === "bad") throw new Error("boom");
        flushed.push([key, items]);
      },
      onError: (error, key) => errors.push([error, key]),
    });
    failing.add("bad", 1);
    failing.add("good", 2);
    vi.advanceTimersByTime(33);
    expect(flushed).toEqual([["good", [2]]]);
    expect(errors).toEqual([[new Error("boom"), "bad"]]);
  });
});

describe("TickQueue with a tick of one event-loop turn", () => {
  it("hands over together what was queued in one turn, and a later turn's items on their own", async () => {
    const flushed: [string, number[]][] = [];
    const queue = new TickQueue<string, number>({ tickMs: "turn", flush: (key, items) => flushed.push([key, items]) });
    queue.add("a", 1);
    await Promise.resolve();
    queue.add("a", 2);
    process.nextTick(() => queue.add("b", 3));
    await new Promise((resolve) => setImmediate(resolve));
    expect(flushed).toEqual([
      ["a", [1, 2]],
      ["b", [3]],
    ]);
    queue.add("a", 4);
    expect(flushed).toHaveLength(2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(flushed).toEqual([
      ["a", [1, 2]],
      ["b", [3]],
      ["a", [4]],
    ]);
  });
});
