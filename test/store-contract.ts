/**
 * The behaviour every BoardStore must show, as one vitest suite that each
 * implementation runs against itself (see `lib/store/*.test.ts`).
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { BoardEvent, Circle } from "../lib/protocol/events.js";
import { DEFAULT_RULES, type BoardStore, type StoredBoard } from "../lib/store/board-store.js";

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

/**
 * A load's answer: these circles at this seq, with the rules and removed
 * players (none) of a board whose host never changed them, unless `more` says otherwise.
 */
export function storedBoard(seq: number, circles: Circle[], more: Partial<StoredBoard> = {}): StoredBoard {
  return { seq, circles, rules: { ...DEFAULT_RULES }, removed: [], ...more };
}

/** A board name no other test uses, so stores shared between tests (Redis) cannot interfere. */
export function makeBoard(): string {
  return `b-${randomUUID()}`;
}

/**
 * Opens a fixture from `makeStore` before each test of the enclosing suite
 * and hands it to `opened`; after the test, closes the fixture's store (a
 * test that swaps in another, as a reopen does, puts it there) and cleans up.
 */
export function openStoreForEachTest<F extends StoreFixture>(makeStore: () => Promise<F>, opened: (fixture: F) => void): void {
  let fixture: F;
  beforeEach(async () => {
    fixture = await makeStore();
    opened(fixture);
  });
  afterEach(async () => {
    await fixture.store.close();
    await fixture.cleanup?.();
  });
}

const ids = (circles: Circle[]) => circles.map((circle) => circle.id);
const seqs = (events: BoardEvent[]) => events.map((event) => event.seq);
/** The ids an add's changes removed, oldest first. */
const removed = (events: BoardEvent[]) => events.flatMap((event) => (event.type === "remove" ? [event.id] : []));
/** 1, 2, ..., n. */
const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const BIG = 1_000_000;

export function describeBoardStoreContract(name: string, makeStore: () => Promise<StoreFixture>): void {
  describe(`BoardStore contract: ${name}`, () => {
    let store: BoardStore;
    openStoreForEachTest(makeStore, (fixture) => (store = fixture.store));

    it("loads an unknown board as empty, at seq 0", async () => {
      expect(await store.load(makeBoard())).toStrictEqual(storedBoard(0, []));
    });

    it("gives back an added circle with every field equal, in its add and in loads", async () => {
      const board = makeBoard();
      const circle = makeCircle();
      expect(await store.add(board, circle, BIG)).toStrictEqual([{ seq: 1, type: "add", circle }]);
      expect(await store.load(board)).toStrictEqual(storedBoard(1, [circle]));
    });

    it("is not changed by callers mutating what they passed in or got back", async () => {
      const board = makeBoard();
      const circle = makeCircle();
      const original = { ...circle };
      const [added] = await store.add(board, circle, BIG);
      circle.x = 1;
      if (added?.type === "add") added.circle.y = 2;
      const {
        circles: [loaded],
      } = await store.load(board);
      if (loaded) loaded.initials = "ZZ";
      expect(await store.load(board)).toStrictEqual(storedBoard(1, [original]));
    });

    it("keeps insertion order across many adds", async () => {
      const board = makeBoard();
      const circles = Array.from({ length: 50 }, () => makeCircle());
      for (const circle of circles) await store.add(board, circle, BIG);
      expect(ids((await store.load(board)).circles)).toStrictEqual(ids(circles));
    });

    it("keeps boards isolated: adds, caps and clears on one never touch another", async () => {
      const [a, b] = [makeBoard(), makeBoard()];
      const onB = makeCircle();
      await store.add(b, onB, BIG);
      await store.add(a, makeCircle(), 1);
      expect(removed(await store.add(a, makeCircle(), 1))).toHaveLength(1);
      await store.clear(a);
      expect(await store.load(a)).toStrictEqual(storedBoard(4, []));
      expect(await store.load(b)).toStrictEqual(storedBoard(1, [onB]));
    });

    it("clears only the board named, and adds work again afterwards", async () => {
      const board = makeBoard();
      await store.add(board, makeCircle(), BIG);
      await store.add(board, makeCircle(), BIG);
      expect(await store.clear(board)).toStrictEqual({ seq: 3, type: "clear" });
      expect(await store.load(board)).toStrictEqual(storedBoard(3, []));
      const after = makeCircle();
      expect(await store.add(board, after, BIG)).toStrictEqual([{ seq: 4, type: "add", circle: after }]);
      expect(await store.load(board)).toStrictEqual(storedBoard(4, [after]));
    });

    it("drops the oldest circles beyond the cap, one remove each, oldest first", async () => {
      const board = makeBoard();
      const circles = Array.from({ length: 5 }, () => makeCircle());
      const changes: BoardEvent[][] = [];
      for (const circle of circles) changes.push(await store.add(board, circle, 3));
      const [c1, c2, c3, c4, c5] = circles;
      expect(changes).toStrictEqual([
        [{ seq: 1, type: "add", circle: c1 }],
        [{ seq: 2, type: "add", circle: c2 }],
        [{ seq: 3, type: "add", circle: c3 }],
        [
          { seq: 4, type: "add", circle: c4 },
          { seq: 5, type: "remove", id: c1?.id },
        ],
        [
          { seq: 6, type: "add", circle: c5 },
          { seq: 7, type: "remove", id: c2?.id },
        ],
      ]);
      expect(ids((await store.load(board)).circles)).toStrictEqual(ids([c3, c4, c5] as Circle[]));
    });

    it("drops several circles at once when the cap is lowered, each with its own seq", async () => {
      const board = makeBoard();
      const circles = Array.from({ length: 5 }, () => makeCircle());
      for (const circle of circles) await store.add(board, circle, 10);
      const last = makeCircle();
      const changes = await store.add(board, last, 2);
      expect(changes[0]).toStrictEqual({ seq: 6, type: "add", circle: last });
      expect(removed(changes)).toStrictEqual(ids(circles.slice(0, 4)));
      expect(seqs(changes)).toStrictEqual([6, 7, 8, 9, 10]);
      expect(ids((await store.load(board)).circles)).toStrictEqual([circles[4]?.id, last.id]);
    });

    it("with a cap of 0 drops the circle just added", async () => {
      const board = makeBoard();
      const circle = makeCircle();
      expect(await store.add(board, circle, 0)).toStrictEqual([
        { seq: 1, type: "add", circle },
        { seq: 2, type: "remove", id: circle.id },
      ]);
      expect(await store.load(board)).toStrictEqual(storedBoard(2, []));
    });

    it("refuses a cap that is not a non-negative integer, storing nothing and taking no seq", async () => {
      const board = makeBoard();
      for (const cap of [-1, 1.5, Number.NaN]) {
        await expect(store.add(board, makeCircle(), cap)).rejects.toThrow(RangeError);
      }
      expect(await store.load(board)).toStrictEqual(storedBoard(0, []));
    });

    it("resolves 500 adds issued at once, and loads them all in call order", async () => {
      const board = makeBoard();
      const circles = Array.from({ length: 500 }, () => makeCircle());
      const changes = await Promise.all(circles.map((circle) => store.add(board, circle, BIG)));
      expect(changes).toStrictEqual(circles.map((circle, i) => [{ seq: i + 1, type: "add", circle }]));
      expect(ids((await store.load(board)).circles)).toStrictEqual(ids(circles));
    });

    it("applies the cap in call order to adds issued at once", async () => {
      const board = makeBoard();
      const circles = Array.from({ length: 5 }, () => makeCircle());
      const changes = await Promise.all(circles.map((circle) => store.add(board, circle, 3)));
      const [c1, c2] = circles.map((circle) => circle.id);
      expect(changes.map(removed)).toStrictEqual([[], [], [], [c1], [c2]]);
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
      expect(loaded).toStrictEqual(storedBoard(1, [first]));
    });

    it("keeps an add issued right after a clear, and drops one issued before it", async () => {
      const board = makeBoard();
      const before = makeCircle();
      const after = makeCircle();
      await Promise.all([store.add(board, before, BIG), store.clear(board), store.add(board, after, BIG)]);
      expect(await store.load(board)).toStrictEqual(storedBoard(3, [after]));
    });

    it("loads writes that were called but not yet awaited", async () => {
      const board = makeBoard();
      const circle = makeCircle();
      const added = store.add(board, circle, BIG);
      expect(await store.load(board)).toStrictEqual(storedBoard(1, [circle]));
      await added;
    });

    describe("seq", () => {
      it("numbers a board's changes from 1 without gaps across adds, cap drops and clears", async () => {
        const board = makeBoard();
        const changes: BoardEvent[] = [];
        for (let i = 0; i < 3; i++) changes.push(...(await store.add(board, makeCircle(), 2)));
        changes.push(await store.clear(board));
        changes.push(await store.clear(board)); // of a board already empty
        changes.push(...(await store.add(board, makeCircle(), 0)));
        changes.push(...(await store.add(board, makeCircle(), 2)));
        expect(changes.map((change) => change.type)).toStrictEqual(["add", "add", "add", "remove", "clear", "clear", "add", "remove", "add"]);
        expect(seqs(changes)).toStrictEqual(upTo(9));
        expect((await store.load(board)).seq).toBe(9);
      });

      it("gives a clear of a board that never had a circle its own seq", async () => {
        const board = makeBoard();
        expect(await store.clear(board)).toStrictEqual({ seq: 1, type: "clear" });
        expect(await store.load(board)).toStrictEqual(storedBoard(1, []));
        expect(seqs(await store.add(board, makeCircle(), BIG))).toStrictEqual([2]);
      });

      it("never restarts after a clear", async () => {
        const board = makeBoard();
        await store.add(board, makeCircle(), BIG);
        await store.add(board, makeCircle(), BIG);
        await store.clear(board);
        expect(await store.load(board)).toStrictEqual(storedBoard(3, []));
        expect(seqs(await store.add(board, makeCircle(), BIG))).toStrictEqual([4]);
        await store.clear(board);
        expect(await store.clear(board)).toStrictEqual({ seq: 6, type: "clear" });
      });

      it("counts each board on its own, even when their writes interleave", async () => {
        const [a, b] = [makeBoard(), makeBoard()];
        const writes = Array.from({ length: 40 }, (_, i) => {
          const board = i % 3 === 0 ? b : a;
          return i % 5 === 4 ? store.clear(board).then((change) => [change]) : store.add(board, makeCircle(), 4);
        });
        const changes = await Promise.all(writes);
        const onA = changes.filter((_, i) => i % 3 !== 0).flat();
        const onB = changes.filter((_, i) => i % 3 === 0).flat();
        expect(seqs(onA)).toStrictEqual(upTo(onA.length));
        expect(seqs(onB)).toStrictEqual(upTo(onB.length));
        expect((await store.load(a)).seq).toBe(onA.length);
        expect((await store.load(b)).seq).toBe(onB.length);
      });

      it("gives writes called at once seqs in call order", async () => {
        const board = makeBoard();
        const writes = Array.from({ length: 30 }, (_, i) =>
          i % 7 === 3 ? store.clear(board).then((change) => [change]) : store.add(board, makeCircle(), 5),
        );
        const changes = (await Promise.all(writes)).flat();
        expect(seqs(changes)).toStrictEqual(upTo(changes.length));
      });

      it("reports in a load the seq of the last change it reflects, writes not yet awaited included", async () => {
        const board = makeBoard();
        const first = store.add(board, makeCircle(), 1);
        const second = store.add(board, makeCircle(), 1); // its add and the remove of the first
        const early = store.load(board);
        const cleared = store.clear(board);
        const late = store.load(board);
        expect(await early).toMatchObject({ seq: 3 });
        expect(await late).toStrictEqual(storedBoard(4, []));
        await Promise.all([first, second, cleared]);
      });

      it("reports in a load the seq after 500 writes issued at once", async () => {
        const board = makeBoard();
        const writes = Array.from({ length: 500 }, (_, i) =>
          i % 50 === 49 ? store.clear(board).then((change) => [change]) : store.add(board, makeCircle(), 20),
        );
        const loaded = await store.load(board);
        const changes = (await Promise.all(writes)).flat();
        expect(seqs(changes)).toStrictEqual(upTo(changes.length));
        expect(loaded.seq).toBe(changes.length);
        expect(loaded.circles).toStrictEqual([]); // the 500th write was a clear
      });
    });

    it("answers a ping", async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it("finishes pending writes on close, resolving their promises", async () => {
      const board = makeBoard();
      let resolved = 0;
      const adds = Array.from({ length: 20 }, () =>
        store.add(board, makeCircle(), BIG).then((changes) => {
          resolved++;
          return changes;
        }),
      );
      await store.close();
      expect(resolved).toBe(20);
      expect((await Promise.all(adds)).map(seqs)).toStrictEqual(upTo(20).map((seq) => [seq]));
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

/** A store that runs queued writes together in one transaction, and counts them. */
export interface GroupCommitStore extends BoardStore {
  readonly stats: Readonly<{ transactions: number; writes: number; failedTransactions: number }>;
}

/**
 * Group commit, for the stores that have it (SQLite, PostgreSQL): writes
 * issued together share a transaction, and a failing transaction fails
 * exactly its own writes. `notNull` matches the error the database raises
 * for a circle without initials.
 */
export function describeGroupCommitContract(
  name: string,
  makeStore: () => Promise<StoreFixture & { store: GroupCommitStore }>,
  notNull: RegExp,
): void {
  describe(`group commit: ${name}`, () => {
    let store: GroupCommitStore;
    openStoreForEachTest(makeStore, (fixture) => (store = fixture.store));

    it("groups concurrent writes into few transactions", async () => {
      const board = makeBoard();
      for (let i = 0; i < 3; i++) await store.add(board, makeCircle(), 1000);
      expect(store.stats).toStrictEqual({ transactions: 3, writes: 3, failedTransactions: 0 });

      await Promise.all(Array.from({ length: 200 }, () => store.add(board, makeCircle(), 1000)));
      const { transactions, writes } = store.stats;
      expect(writes).toBe(203);
      expect(transactions - 3).toBeLessThanOrEqual(5);
    });

    it("rejects every write of a failing batch, keeps none of it, answers its loads, and keeps working", async () => {
      const board = makeBoard();
      const first = makeCircle();
      await store.add(board, first, 2);

      // No initials: the types forbid it, hence the cast, so that only the database refuses it, failing its whole batch.
      const noInitials = { ...makeCircle(), initials: null } as unknown as Circle;
      const [before, failing, load, after] = [
        store.add(board, makeCircle(), 2),
        store.add(board, noInitials, 2),
        store.load(board),
        store.add(board, makeCircle(), 2),
      ];
      for (const write of [before, failing, after]) await expect(write).rejects.toThrow(notNull);
      // A load in the failed batch is answered, from what was committed.
      await expect(load).resolves.toStrictEqual(storedBoard(1, [first]));
      expect(store.stats.failedTransactions).toBe(1);
      expect(await store.load(board)).toStrictEqual(storedBoard(1, [first]));

      // The rolled-back batch must not have counted towards the cap or the seq either.
      const later = makeCircle();
      expect(await store.add(board, later, 2)).toStrictEqual([{ seq: 2, type: "add", circle: later }]);
      const last = makeCircle();
      expect(await store.add(board, last, 2)).toStrictEqual([
        { seq: 3, type: "add", circle: last },
        { seq: 4, type: "remove", id: first.id },
      ]);
      expect((await store.load(board)).circles).toStrictEqual([later, last]);
    });
  });
}

/**
 * A store must not keep a process alive: in a child process, one store is
 * closed and another left idle, and the child must still exit by itself.
 * `imports` brings the store's class in; `open(name)` is the expression that
 * opens a store whose data is called `name`.
 */
export async function expectProcessExitsWithStores(imports: string, open: (name: string) => string): Promise<void> {
  const circle = `{ id: "${randomUUID()}", initials: "AB", x: 1, y: 2, dia: 3, rgba: "red", createdAt: 4 }`;
  const other = `{ id: "${randomUUID()}", initials: "AB", x: 1, y: 2, dia: 3, rgba: "red", createdAt: 4 }`;
  const script = `
    ${imports}
    const closed = await ${open("closed")};
    await closed.add("exit-closed", ${circle}, 10);
    await closed.close();
    const idle = await ${open("idle")};
    await idle.add("exit-idle", ${other}, 10);
    console.log("done");
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "--input-type=module", "--eval", script], {
    timeout: 10_000,
  });
  expect(stdout.trim()).toBe("done");
}
