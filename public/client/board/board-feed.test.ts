import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Ack, BoardEvent, BoardSync, Circle } from "../../../lib/protocol/events.js";
import { BoardFeed } from "./board-feed.js";
import { CirclesState } from "./circles-state.js";
import { handshakeQuery, keepSinceFresh, type QueryHolder } from "../socket.js";

let nextId = 1;
function circle(): Circle {
  return { id: `c${nextId++}`, initials: "AB", x: 100, y: 200, dia: 40, rgba: "rgba(10, 20, 30, 0.8)", createdAt: 1 };
}

const add = (seq: number, c: Circle = circle()): BoardEvent => ({ seq, type: "add", circle: c });

/** A feed whose sync requests wait until the test answers them. */
function feedWithServer() {
  const state = new CirclesState();
  const asked: { since: number; answer: (ack: Ack<BoardSync>) => void }[] = [];
  const feed = new BoardFeed({
    state,
    requestSync: (since) => new Promise((answer) => asked.push({ since, answer })),
    retryMs: 500,
  });
  const ids = () => [...state.values()].map((c) => c.id);
  return { state, feed, asked, ids };
}

/** Let the feed handle a sync answer (it is awaited). */
const settle = () => new Promise<void>((resolve) => queueMicrotask(resolve)).then(() => Promise.resolve());

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("BoardFeed", () => {
  it("starts from a snapshot, then applies changes in seq order", () => {
    const { feed, ids } = feedWithServer();
    const [a, b, c] = [circle(), circle(), circle()];
    feed.snapshot({ board: "x", seq: 4, circles: [a] });
    expect(feed.seq).toBe(4);
    feed.events([add(5, b), add(6, c), { seq: 7, type: "remove", id: a.id }]);
    expect(ids()).toEqual([b.id, c.id]);
    feed.events([{ seq: 8, type: "clear" }]);
    expect(ids()).toEqual([]);
    expect(feed.seq).toBe(8);
  });

  it("skips changes it already has", () => {
    const { feed, asked, ids } = feedWithServer();
    const [a, b] = [circle(), circle()];
    feed.snapshot({ board: "x", seq: 3, circles: [a] });
    // The snapshot at seq 3 reflects all of these already: applying them again would empty the board.
    feed.events([{ seq: 2, type: "clear" }, { seq: 3, type: "remove", id: a.id }, add(4, b), add(4, circle())]);
    expect(ids()).toEqual([a.id, b.id]);
    expect(feed.seq).toBe(4);
    expect(asked).toEqual([]);
  });

  it("ignores changes before the first snapshot, and malformed ones", () => {
    const { feed, asked, ids } = feedWithServer();
    feed.events([add(1)]);
    expect(ids()).toEqual([]);
    feed.snapshot({ board: "x", seq: 0, circles: [] });
    feed.events([null, { seq: "1", type: "add", circle: circle() }, { seq: 1, type: "explode" }, { seq: 1, type: "remove" }]);
    feed.events(undefined);
    expect(ids()).toEqual([]);
    expect(feed.seq).toBe(0);
    expect(asked).toEqual([]);
  });

  it("stops at a gap, asks once for what it missed, and applies it with what came meanwhile", async () => {
    const { feed, asked, ids } = feedWithServer();
    const c = Array.from({ length: 6 }, circle);
    feed.snapshot({ board: "x", seq: 1, circles: [c[0]!] });
    feed.events([add(2, c[1]), add(4, c[3]), add(5, c[4])]);
    expect(ids()).toEqual([c[0]!.id, c[1]!.id]);
    expect(feed.seq).toBe(2);
    expect(asked.map((a) => a.since)).toEqual([2]);

    // More changes, and another gap, while the request is out: held, and no second request.
    feed.events([add(6, c[5])]);
    feed.events([add(8)]);
    expect(asked).toHaveLength(1);
    expect(feed.seq).toBe(2);

    // The answer overlaps what was held; each change is applied once.
    asked[0]!.answer({ ok: true, events: [add(3, c[2]), add(4, c[3]), add(5, c[4])] });
    await settle();
    expect(ids()).toEqual(c.map((each) => each.id));
    expect(feed.seq).toBe(6);
    // seq 7 is still missing: a second request, only now.
    expect(asked.map((a) => a.since)).toEqual([2, 6]);
  });

  it("replaces everything when the sync answers with a snapshot", async () => {
    const { feed, asked, ids } = feedWithServer();
    const [a, b, c] = [circle(), circle(), circle()];
    feed.snapshot({ board: "x", seq: 1, circles: [a] });
    feed.events([add(9, b), add(10, c)]);
    asked[0]!.answer({ ok: true, snapshot: { board: "x", seq: 9, circles: [b] } });
    await settle();
    expect(ids()).toEqual([b.id, c.id]);
    expect(feed.seq).toBe(10);
    expect(asked).toHaveLength(1);
  });

  it("asks again after a while when the sync is refused", async () => {
    const { feed, asked, ids } = feedWithServer();
    const b = circle();
    feed.snapshot({ board: "x", seq: 1, circles: [] });
    feed.events([add(3, b)]);
    asked[0]!.answer({ ok: false, error: "the board is still loading: try again shortly", code: "unavailable" });
    await settle();
    feed.events([add(4)]);
    expect(asked).toHaveLength(1);
    vi.advanceTimersByTime(500);
    expect(asked.map((a) => a.since)).toEqual([1, 1]);
    asked[1]!.answer({ ok: true, events: [add(2)] });
    await settle();
    expect(feed.seq).toBe(4);
    expect(ids()).toHaveLength(3);
  });

  it("forgets a sync asked for on a connection that dropped", async () => {
    const { feed, asked, ids } = feedWithServer();
    feed.snapshot({ board: "x", seq: 1, circles: [] });
    feed.events([add(3)]);
    feed.disconnected();
    expect(feed.seq).toBe(1); // what the next handshake sends as since

    // The next connection starts with exactly what was missed.
    const [b, c] = [circle(), circle()];
    feed.events([add(2, b), add(3, c)]);
    asked[0]!.answer({ ok: true, events: [add(2), add(3)] });
    await settle();
    expect(ids()).toEqual([b.id, c.id]);
    expect(asked).toHaveLength(1);
  });
});

describe("BoardFeed's last clear", () => {
  it("remembers which circles the last clear it applied removed", () => {
    const { feed } = feedWithServer();
    feed.snapshot({ board: "b", seq: 0, circles: [] });
    expect(feed.lastClear).toBeUndefined();
    const [a, b] = [circle(), circle()];
    feed.events([add(1, a), add(2, b), { seq: 3, type: "clear" }]);
    expect(feed.lastClear).toEqual({ seq: 3, ids: new Set([a.id, b.id]) });
    feed.events([{ seq: 4, type: "clear" }]);
    expect(feed.lastClear).toEqual({ seq: 4, ids: new Set() });
  });
});

describe("the handshake", () => {
  it("asks for batches, and sends since once the board has loaded", () => {
    expect(handshakeQuery("club", undefined)).toEqual({ board: "club", protocol: "2" });
    expect(handshakeQuery("club", 0)).toEqual({ board: "club", protocol: "2", since: "0" });
  });

  it("sends the current seq on every reconnection, automatic or by hand", () => {
    const listeners: (() => void)[] = [];
    const manager: QueryHolder = { opts: { query: handshakeQuery("club", undefined) }, on: (_event, listener) => listeners.push(listener) };
    let seq: number | undefined;
    const refresh = keepSinceFresh(manager, "club", () => seq);
    seq = 12;
    for (const listener of listeners) listener();
    expect(manager.opts.query).toEqual({ board: "club", protocol: "2", since: "12" });
    seq = 15;
    refresh();
    expect(manager.opts.query).toEqual({ board: "club", protocol: "2", since: "15" });
  });
});
