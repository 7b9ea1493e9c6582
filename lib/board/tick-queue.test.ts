import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TickQueue } from "./tick-queue.js";

describe("TickQueue", () => {
  let flushed: [string, number[]][];
  let queue: TickQueue<string, number>;
  /** The end of the current event-loop turn, under fake timers. */
  const endOfTurn = () => vi.advanceTimersByTime(0);

  beforeEach(() => {
    vi.useFakeTimers();
    flushed = [];
    queue = new TickQueue({ tickMs: 33, flush: (key, items) => flushed.push([key, items]) });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("hands a quiet key's first items over at the end of the turn they came in, without waiting for the tick", () => {
    queue.add("a", 1);
    queue.add("a", 2);
    expect(flushed).toEqual([]);
    endOfTurn();
    expect(flushed).toEqual([["a", [1, 2]]]);
  });

  it("holds what comes after a hand-over until the key's tick ends, then hands it over in one go, in order", () => {
    queue.add("a", 1);
    endOfTurn();
    vi.advanceTimersByTime(10);
    queue.add("a", 2);
    queue.add("b", 7);
    queue.add("a", 3);
    endOfTurn();
    // "b" was quiet: it leads; "a" waits for its tick.
    expect(flushed).toEqual([
      ["a", [1]],
      ["b", [7]],
    ]);
    vi.advanceTimersByTime(22);
    expect(flushed).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(flushed).toEqual([
      ["a", [1]],
      ["b", [7]],
      ["a", [2, 3]],
    ]);
  });

  it("hands a busy key over at most once per tick, however many items come", () => {
    for (let ms = 0; ms < 330; ms++) {
      queue.add("a", ms);
      vi.advanceTimersByTime(1);
    }
    vi.advanceTimersByTime(100);
    // The leading edge, then one per 33 ms tick.
    expect(flushed.length).toBe(11);
    expect(flushed.flatMap(([, items]) => items)).toEqual(Array.from({ length: 330 }, (_, i) => i));
  });

  it("lets a key that was handed nothing for a whole tick lead again", () => {
    queue.add("a", 1);
    endOfTurn();
    vi.advanceTimersByTime(33);
    queue.add("a", 2);
    endOfTurn();
    expect(flushed).toEqual([
      ["a", [1]],
      ["a", [2]],
    ]);
  });

  it("runs no timer while nothing is queued, so an idle key costs nothing", () => {
    expect(vi.getTimerCount()).toBe(0);
    queue.add("a", 1);
    endOfTurn();
    vi.advanceTimersByTime(33);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(1000);
    expect(flushed).toEqual([["a", [1]]]);
  });

  it("takes each key's tick from a function when given one", () => {
    const ticks = new TickQueue<string, number>({ tickMs: (key) => (key === "slow" ? 100 : 10), flush: (key, items) => flushed.push([key, items]) });
    for (const key of ["slow", "fast"]) {
      ticks.add(key, 1);
      endOfTurn();
      ticks.add(key, 2);
    }
    vi.advanceTimersByTime(10);
    expect(flushed).toEqual([
      ["slow", [1]],
      ["fast", [1]],
      ["fast", [2]],
    ]);
    vi.advanceTimersByTime(90);
    expect(flushed.at(-1)).toEqual(["slow", [2]]);
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
    expect(vi.getTimerCount()).toBe(0);
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
    endOfTurn();
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

describe("TickQueue without a leading edge", () => {
  it("holds a quiet key's first items for a whole tick, to gather what follows them", () => {
    vi.useFakeTimers();
    const flushed: [string, number[]][] = [];
    const queue = new TickQueue<string, number>({ tickMs: 33, lead: false, flush: (key, items) => flushed.push([key, items]) });
    queue.add("a", 1);
    vi.advanceTimersByTime(32);
    queue.add("a", 2);
    expect(flushed).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(flushed).toEqual([["a", [1, 2]]]);
    vi.advanceTimersByTime(100);
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
  });
});
