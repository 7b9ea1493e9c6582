/**
 * The behaviour every BoardStore must show, as one vitest suite that each
 * implementation runs against itself (see `lib/store/*.test.ts`).
 */
import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Circle } from "../lib/events.js";
import type { BoardStore } from "../lib/store/board-store.js";

export interface StoreFixture {
  store: BoardStore;
  /** Runs after the store is closed, e.g. to remove its files. */
  cleanup?: () => Promise<void>;
}

let made = 0;

/** A fresh circle with a unique id. Its numbers are fractions binary floating
 * point cannot hold exactly, so a lossy round-trip shows. */
export function makeCircle(overrides: Partial<Circle> = {}): Circle {
  made++;
  return {
    id: randomUUID(),
    initials: "AB",
    x: (made * 0.1) % 1920,
    y: 1 / 3,
    dia: 10 + 1 / 7,
    rgba: "rgba(12, 34, 56, 0.7)",
    createdAt: 1_700_000_000_000 + made,
    ...overrides,
  };
}

/** A board name no other test uses, so stores shared between tests (Redis) cannot interfere. */
export function makeBoard(): string {
  return `b-${randomUUID()}`;
}

const ids = (circles: Circle[]) => circles.map((circle) => circle.id);
const BIG = 1_000_000;

export function describeBoardStoreContract(name: string, makeStore: () => Promise<StoreFixture>): void {
  describe(`BoardStore contract: ${name}`, () => {
    let fixture: StoreFixture;
    let store: BoardStore;

    beforeEach(async () => {
      fixture = await makeStore();
      store = fixture.store;
    });

    afterEach(async () => {
      await store.close();
      await fixture.cleanup?.();
    });

    it("loads an unknown board as empty", async () => {
      expect(await store.load(makeBoard())).toStrictEqual([]);
    });

    it("gives back an added circle with every field equal", async () => {
      const board = makeBoard();
      const circle = makeCircle();
      expect(await store.add(board, circle, BIG)).toStrictEqual([]);
      expect(await store.load(board)).toStrictEqual([circle]);
    });

    it("is not changed by callers mutating what they passed in or got back", async () => {
      const board = makeBoard();
      const circle = makeCircle();
      const original = { ...circle };
      await store.add(board, circle, BIG);
      circle.x = 1;
      const [loaded] = await store.load(board);
      if (loaded) loaded.initials = "ZZ";
      expect(await store.load(board)).toStrictEqual([original]);
    });

    it("keeps insertion order across many adds", async () => {
      const board = makeBoard();
      const circles = Array.from({ length: 50 }, () => makeCircle());
      for (const circle of circles) await store.add(board, circle, BIG);
      expect(ids(await store.load(board))).toStrictEqual(ids(circles));
    });

    it("keeps boards isolated: adds, caps and clears on one never touch another", async () => {
      const [a, b] = [makeBoard(), makeBoard()];
      const onB = makeCircle();
      await store.add(b, onB, BIG);
      await store.add(a, makeCircle(), 1);
      expect(await store.add(a, makeCircle(), 1)).toHaveLength(1);
      await store.clear(a);
      expect(await store.load(a)).toStrictEqual([]);
      expect(await store.load(b)).toStrictEqual([onB]);
    });

    it("clears only the board named, and adds work again afterwards", async () => {
      const board = makeBoard();
      await store.add(board, makeCircle(), BIG);
      await store.add(board, makeCircle(), BIG);
      await store.clear(board);
      expect(await store.load(board)).toStrictEqual([]);
      const after = makeCircle();
      expect(await store.add(board, after, BIG)).toStrictEqual([]);
      expect(await store.load(board)).toStrictEqual([after]);
      await expect(store.clear(makeBoard())).resolves.toBeUndefined();
    });

    it("drops the oldest circles beyond the cap and returns their ids, oldest first", async () => {
      const board = makeBoard();
      const circles = Array.from({ length: 5 }, () => makeCircle());
      const dropped: string[][] = [];
      for (const circle of circles) dropped.push(await store.add(board, circle, 3));
      const [c1, c2, c3, c4, c5] = circles.map((circle) => circle.id);
      expect(dropped).toStrictEqual([[], [], [], [c1], [c2]]);
      expect(ids(await store.load(board))).toStrictEqual([c3, c4, c5]);
    });

    it("drops several circles at once when the cap is lowered", async () => {
      const board = makeBoard();
      const circles = Array.from({ length: 5 }, () => makeCircle());
      for (const circle of circles) await store.add(board, circle, 10);
      const last = makeCircle();
      expect(await store.add(board, last, 2)).toStrictEqual(ids(circles.slice(0, 4)));
      expect(ids(await store.load(board))).toStrictEqual([circles[4]?.id, last.id]);
    });

    it("with a cap of 0 drops the circle just added", async () => {
      const board = makeBoard();
      const circle = makeCircle();
      expect(await store.add(board, circle, 0)).toStrictEqual([circle.id]);
      expect(await store.load(board)).toStrictEqual([]);
    });

    it("refuses a cap that is not a non-negative integer, storing nothing", async () => {
      const board = makeBoard();
      for (const cap of [-1, 1.5, Number.NaN]) {
        await expect(store.add(board, makeCircle(), cap)).rejects.toThrow(RangeError);
      }
      expect(await store.load(board)).toStrictEqual([]);
    });

    it("resolves 500 adds issued at once, and loads them all in call order", async () => {
      const board = makeBoard();
      const circles = Array.from({ length: 500 }, () => makeCircle());
      const dropped = await Promise.all(circles.map((circle) => store.add(board, circle, BIG)));
      expect(dropped.every((d) => d.length === 0)).toBe(true);
      expect(ids(await store.load(board))).toStrictEqual(ids(circles));
    });

    it("applies the cap in call order to adds issued at once", async () => {
      const board = makeBoard();
      const circles = Array.from({ length: 5 }, () => makeCircle());
      const dropped = await Promise.all(circles.map((circle) => store.add(board, circle, 3)));
      const [c1, c2] = circles.map((circle) => circle.id);
      expect(dropped).toStrictEqual([[], [], [], [c1], [c2]]);
    });

    it("settles the promises of writes in the order the writes were called", async () => {
      const board = makeBoard();
      const settled: number[] = [];
      const writes = Array.from({ length: 30 }, (_, i) =>
        (i % 7 === 3 ? store.clear(board) : store.add(board, makeCircle(), BIG)).then(() => {
          settled.push(i);
        }),
      );
      await Promise.all(writes);
      expect(settled).toStrictEqual(Array.from({ length: 30 }, (_, i) => i));
    });

    it("settles a load in call order with the writes around it, seeing exactly those before it", async () => {
      const board = makeBoard();
      const [first, second] = [makeCircle(), makeCircle()];
      const settled: string[] = [];
      const track = <T>(name: string, promise: Promise<T>) =>
        promise.then((value) => {
          settled.push(name);
          return value;
        });
      const [, loaded] = await Promise.all([
        track("add first", store.add(board, first, BIG)),
        track("load", store.load(board)),
        track("add second", store.add(board, second, BIG)),
      ]);
      expect(settled).toStrictEqual(["add first", "load", "add second"]);
      expect(loaded).toStrictEqual([first]);
    });

    it("keeps an add issued right after a clear, and drops one issued before it", async () => {
      const board = makeBoard();
      const before = makeCircle();
      const after = makeCircle();
      await Promise.all([store.add(board, before, BIG), store.clear(board), store.add(board, after, BIG)]);
      expect(await store.load(board)).toStrictEqual([after]);
    });

    it("loads writes that were called but not yet awaited", async () => {
      const board = makeBoard();
      const circle = makeCircle();
      const added = store.add(board, circle, BIG);
      expect(await store.load(board)).toStrictEqual([circle]);
      await added;
    });

    it("answers a ping", async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it("finishes pending writes on close, resolving their promises", async () => {
      const board = makeBoard();
      let resolved = 0;
      const adds = Array.from({ length: 20 }, () =>
        store.add(board, makeCircle(), BIG).then((dropped) => {
          resolved++;
          return dropped;
        }),
      );
      await store.close();
      expect(resolved).toBe(20);
      expect(await Promise.all(adds)).toStrictEqual(adds.map(() => []));
    });

    it("rejects every call after close, and closing again is harmless", async () => {
      const board = makeBoard();
      await store.close();
      const closed = /store is closed/;
      await expect(store.load(board)).rejects.toThrow(closed);
      await expect(store.add(board, makeCircle(), BIG)).rejects.toThrow(closed);
      await expect(store.clear(board)).rejects.toThrow(closed);
      await expect(store.ping()).rejects.toThrow(closed);
      await expect(store.close()).resolves.toBeUndefined();
    });
  });
}
