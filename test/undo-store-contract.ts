/**
 * What every BoardStore must do for undo and hosts (see `BoardStore`):
 * owners kept with their circles, removing a circle only for its owner,
 * the last clear kept for undoing it, and a board's host and lock. Each
 * store runs it against itself, as it runs `store-contract.ts`.
 */
import { describe, expect, it } from "vitest";
import type { StoredCircle, StoredEvent } from "../lib/protocol/events.js";
import { BoardLockedError, type BoardStore } from "../lib/store/board-store.js";
import { makeBoard, makeCircle, openStoreForEachTest, storedBoard, type StoreFixture } from "./store-contract.js";

const BIG = 1_000_000;
const AT = 1_700_000_000_000;
const ids = (circles: { id: string }[]) => circles.map((circle) => circle.id);
const seqs = (events: StoredEvent[]) => events.map((event) => event.seq);
const owned = (owner: string): StoredCircle => ({ ...makeCircle(), owner });

export interface UndoStoreFixture extends StoreFixture {
  /** Closes the store and opens it again on the same data, for the stores that keep it. */
  reopen?: () => Promise<BoardStore>;
}

export function describeUndoStoreContract(name: string, makeStore: () => Promise<UndoStoreFixture>): void {
  describe(`BoardStore undo and hosts: ${name}`, () => {
    let fixture: UndoStoreFixture;
    let store: BoardStore;
    openStoreForEachTest(makeStore, (opened) => {
      fixture = opened;
      store = opened.store;
    });

    /** The board as stored, after adding these circles. */
    async function boardOf(...circles: StoredCircle[]): Promise<string> {
      const board = makeBoard();
      for (const circle of circles) await store.add(board, circle, BIG);
      return board;
    }

    describe("owners", () => {
      it("keeps a circle's owner in its add and in loads, and gives a circle without one none", async () => {
        const mine = owned("owner-a");
        const plain = makeCircle();
        const board = makeBoard();
        expect(await store.add(board, mine, BIG)).toStrictEqual([{ seq: 1, type: "add", circle: mine }]);
        await store.add(board, plain, BIG);
        expect(await store.load(board)).toStrictEqual(storedBoard(2, [mine, plain]));
      });

      it("removes a circle for its owner only, taking the next seq, and the cap counts it gone", async () => {
        const [first, second] = [owned("owner-a"), owned("owner-a")];
        const board = await boardOf(first, second);
        expect(await store.removeOwned(board, first.id, "owner-a")).toStrictEqual({ seq: 3, type: "remove", id: first.id });
        expect(await store.load(board)).toStrictEqual(storedBoard(3, [second]));
        // Two circles fit under a cap of 2 again: nothing is dropped.
        const third = makeCircle();
        expect(await store.add(board, third, 2)).toStrictEqual([{ seq: 4, type: "add", circle: third }]);
      });

      it("refuses, taking no seq, someone else's circle, an unowned one, an unknown id and another board's", async () => {
        const theirs = owned("owner-b");
        const unowned = makeCircle();
        const board = await boardOf(theirs, unowned);
        const elsewhere = await boardOf(owned("owner-a"));
        const [onOther] = (await store.load(elsewhere)).circles;
        expect(await store.removeOwned(board, theirs.id, "owner-a")).toBeUndefined();
        expect(await store.removeOwned(board, unowned.id, "owner-a")).toBeUndefined();
        expect(await store.removeOwned(board, "no-such-circle", "owner-a")).toBeUndefined();
        expect(await store.removeOwned(board, onOther?.id ?? "", "owner-a")).toBeUndefined();
        expect(await store.removeOwned(makeBoard(), theirs.id, "owner-b")).toBeUndefined();
        expect(await store.load(board)).toStrictEqual(storedBoard(2, [theirs, unowned]));
        expect((await store.load(elsewhere)).seq).toBe(1);
      });

      it("removes in call order with the writes around it, once", async () => {
        const mine = owned("owner-a");
        const board = await boardOf(mine);
        const after = makeCircle();
        const results = await Promise.all([
          store.removeOwned(board, mine.id, "owner-a"),
          store.removeOwned(board, mine.id, "owner-a"),
          store.add(board, after, BIG),
        ]);
        expect(results).toStrictEqual([{ seq: 2, type: "remove", id: mine.id }, undefined, [{ seq: 3, type: "add", circle: after }]]);
      });
    });

    describe("undoing a clear", () => {
      it("puts the last clear's circles back in their order, with ids and owners, each with a new seq after circles added since", async () => {
        const before = [owned("owner-a"), makeCircle(), owned("owner-b")];
        const board = await boardOf(...before);
        const cleared = await store.clear(board, { at: AT });
        const since = makeCircle();
        await store.add(board, since, BIG);
        const outcome = await store.restoreCleared(board, { seq: cleared.seq, since: AT, maxCircles: BIG });
        expect(outcome).toStrictEqual({ ok: true, events: before.map((circle, i) => ({ seq: 6 + i, type: "add", circle })) });
        expect(await store.load(board)).toStrictEqual(storedBoard(8, [since, ...before]));
        // An owner's restored circle is theirs to remove again.
        expect(await store.removeOwned(board, before[0]?.id ?? "", "owner-a")).toMatchObject({ seq: 9 });
      });

      it("undoes a clear once", async () => {
        const board = await boardOf(makeCircle());
        const { seq } = await store.clear(board, { at: AT });
        expect(await store.restoreCleared(board, { seq, since: AT, maxCircles: BIG })).toMatchObject({ ok: true });
        expect(await store.restoreCleared(board, { seq, since: AT, maxCircles: BIG })).toStrictEqual({ ok: false, reason: "gone" });
        expect((await store.load(board)).seq).toBe(3);
      });

      it("undoes only the board's last clear, which keeps only what it removed", async () => {
        const [first, second] = [makeCircle(), makeCircle()];
        const board = await boardOf(first);
        const earlier = await store.clear(board, { at: AT });
        await store.add(board, second, BIG);
        const later = await store.clear(board, { at: AT });
        expect(await store.restoreCleared(board, { seq: earlier.seq, since: AT, maxCircles: BIG })).toStrictEqual({ ok: false, reason: "gone" });
        expect(await store.restoreCleared(board, { seq: later.seq, since: AT, maxCircles: BIG })).toMatchObject({ ok: true });
        expect(await store.load(board)).toStrictEqual(storedBoard(5, [second]));
      });

      it("refuses, taking no seq, a clear made before `since`, a seq that was no clear, and a board never cleared", async () => {
        const board = await boardOf(makeCircle());
        const { seq } = await store.clear(board, { at: AT });
        expect(await store.restoreCleared(board, { seq, since: AT + 1, maxCircles: BIG })).toStrictEqual({ ok: false, reason: "expired" });
        expect(await store.restoreCleared(board, { seq: 1, since: AT, maxCircles: BIG })).toStrictEqual({ ok: false, reason: "gone" });
        expect(await store.restoreCleared(await boardOf(makeCircle()), { seq: 1, since: 0, maxCircles: BIG })).toStrictEqual({
          ok: false,
          reason: "gone",
        });
        expect(await store.restoreCleared(makeBoard(), { seq: 1, since: 0, maxCircles: BIG })).toStrictEqual({ ok: false, reason: "gone" });
        // Still undoable in time.
        expect(await store.restoreCleared(board, { seq, since: AT, maxCircles: BIG })).toMatchObject({ ok: true, events: [{ seq: 3 }] });
      });

      it("restores nothing, taking no seq, for the clear of an empty board", async () => {
        const board = makeBoard();
        const { seq } = await store.clear(board, { at: AT });
        expect(await store.restoreCleared(board, { seq, since: AT, maxCircles: BIG })).toStrictEqual({ ok: true, events: [] });
        expect(await store.load(board)).toStrictEqual(storedBoard(1, []));
      });

      it("drops the oldest circles beyond the cap after putting them back, one remove each", async () => {
        const before = [makeCircle(), makeCircle(), makeCircle()];
        const board = await boardOf(...before);
        const { seq } = await store.clear(board, { at: AT });
        const since = [makeCircle(), makeCircle()];
        for (const circle of since) await store.add(board, circle, BIG);
        const outcome = await store.restoreCleared(board, { seq, since: AT, maxCircles: 3 });
        expect(outcome.ok && outcome.events.map((event) => `${event.seq} ${event.type}`)).toStrictEqual([
          "7 add",
          "8 add",
          "9 add",
          "10 remove",
          "11 remove",
        ]);
        expect(outcome.ok && outcome.events.slice(3)).toStrictEqual(ids(since).map((id, i) => ({ seq: 10 + i, type: "remove", id })));
        expect(ids((await store.load(board)).circles)).toStrictEqual(ids(before));
        const next = makeCircle();
        expect(seqs(await store.add(board, next, 3))).toStrictEqual([12, 13]);
      });

      it("refuses a cap that is not a non-negative integer, restoring nothing", async () => {
        const board = await boardOf(makeCircle());
        const { seq } = await store.clear(board, { at: AT });
        await expect(store.restoreCleared(board, { seq, since: AT, maxCircles: -1 })).rejects.toThrow(RangeError);
        expect(await store.restoreCleared(board, { seq, since: AT, maxCircles: BIG })).toMatchObject({ ok: true });
      });

      it("takes effect in call order with writes issued at once", async () => {
        const before = makeCircle();
        const board = await boardOf(before);
        const between = makeCircle();
        const after = makeCircle();
        const [cleared, , restored] = await Promise.all([
          store.clear(board, { at: AT }),
          store.add(board, between, BIG),
          store.restoreCleared(board, { seq: 2, since: AT, maxCircles: BIG }),
          store.add(board, after, BIG),
        ]);
        expect(cleared).toStrictEqual({ seq: 2, type: "clear" });
        expect(restored).toStrictEqual({ ok: true, events: [{ seq: 4, type: "add", circle: before }] });
        expect(await store.load(board)).toStrictEqual(storedBoard(5, [between, before, after]));
      });
    });

    describe("hosts", () => {
      it("lets a board that never changed be claimed once, unlocked, taking no seq", async () => {
        const board = makeBoard();
        expect(await store.claim(board, "host-a")).toBe(true);
        expect(await store.claim(board, "host-a")).toBe(false);
        expect(await store.claim(board, "host-b")).toBe(false);
        expect(await store.load(board)).toStrictEqual(storedBoard(0, [], { host: { hash: "host-a", locked: false } }));
        expect(seqs(await store.add(board, makeCircle(), BIG))).toStrictEqual([1]);
      });

      it("refuses to claim a board that has changed, even when empty again", async () => {
        const used = await boardOf(makeCircle());
        const cleared = makeBoard();
        await store.clear(cleared);
        expect(await store.claim(used, "host-a")).toBe(false);
        expect(await store.claim(cleared, "host-a")).toBe(false);
        expect(await store.load(cleared)).toStrictEqual(storedBoard(1, []));
      });

      it("locks and unlocks a board for its host only, taking no seq", async () => {
        const board = makeBoard();
        await store.claim(board, "host-a");
        expect(await store.setLocked(board, "host-b", true)).toBe(false);
        expect(await store.setLocked(board, "host-a", true)).toBe(true);
        expect(await store.load(board)).toStrictEqual(storedBoard(0, [], { host: { hash: "host-a", locked: true } }));
        expect(await store.setLocked(board, "host-a", false)).toBe(true);
        expect((await store.load(board)).host).toStrictEqual({ hash: "host-a", locked: false });
        expect(await store.setLocked(makeBoard(), "host-a", true)).toBe(false);
      });

      it("refuses to clear a locked board but for its host, changing nothing, and lets anyone once unlocked", async () => {
        const board = makeBoard();
        await store.claim(board, "host-a");
        const circle = makeCircle();
        await store.add(board, circle, BIG);
        await store.setLocked(board, "host-a", true);
        await expect(store.clear(board)).rejects.toThrow(BoardLockedError);
        await expect(store.clear(board, { host: "host-b" })).rejects.toThrow(BoardLockedError);
        expect(await store.load(board)).toMatchObject({ seq: 1, circles: [circle] });
        expect(await store.clear(board, { host: "host-a", at: AT })).toStrictEqual({ seq: 2, type: "clear" });
        await store.setLocked(board, "host-a", false);
        expect(await store.clear(board)).toStrictEqual({ seq: 3, type: "clear" });
      });

      it("lets only the host undo a clear of a locked board", async () => {
        const board = makeBoard();
        await store.claim(board, "host-a");
        await store.add(board, makeCircle(), BIG);
        const { seq } = await store.clear(board, { at: AT });
        await store.setLocked(board, "host-a", true);
        const request = { seq, since: AT, maxCircles: BIG };
        expect(await store.restoreCleared(board, request)).toStrictEqual({ ok: false, reason: "locked" });
        expect(await store.restoreCleared(board, { ...request, host: "host-b" })).toStrictEqual({ ok: false, reason: "locked" });
        expect(await store.restoreCleared(board, { ...request, host: "host-a" })).toMatchObject({ ok: true, events: [{ seq: 3 }] });
      });

      it("refuses a locked clear without failing the writes issued with it", async () => {
        const board = makeBoard();
        await store.claim(board, "host-a");
        await store.setLocked(board, "host-a", true);
        const [first, second] = [makeCircle(), makeCircle()];
        const [added, cleared, addedAfter] = await Promise.allSettled([
          store.add(board, first, BIG),
          store.clear(board),
          store.add(board, second, BIG),
        ]);
        expect(added).toStrictEqual({ status: "fulfilled", value: [{ seq: 1, type: "add", circle: first }] });
        expect(cleared.status === "rejected" && cleared.reason).toBeInstanceOf(BoardLockedError);
        expect(addedAfter).toStrictEqual({ status: "fulfilled", value: [{ seq: 2, type: "add", circle: second }] });
      });
    });

    it("keeps owners, the last clear's circles and the host across close and reopen", async ({ skip }) => {
      if (!fixture.reopen) return skip("this store keeps nothing across a reopen");
      const board = makeBoard();
      await store.claim(board, "host-a");
      await store.setLocked(board, "host-a", true);
      const [mine, kept] = [owned("owner-a"), owned("owner-b")];
      await store.add(board, kept, BIG);
      const { seq } = await store.clear(board, { at: AT, host: "host-a" });
      await store.add(board, mine, BIG);
      // On the fixture too, so that the reopened store is the one closed after the test.
      store = fixture.store = await fixture.reopen();
      expect(await store.load(board)).toStrictEqual(storedBoard(3, [mine], { host: { hash: "host-a", locked: true } }));
      expect(await store.restoreCleared(board, { seq, since: AT, host: "host-a", maxCircles: BIG })).toStrictEqual({
        ok: true,
        events: [{ seq: 4, type: "add", circle: kept }],
      });
      expect(await store.removeOwned(board, mine.id, "owner-a")).toStrictEqual({ seq: 5, type: "remove", id: mine.id });
    });
  });
}
