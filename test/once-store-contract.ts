/**
 * What every BoardStore must do with a write's name (see `Once` in
 * `board-store.ts`): a write named again changes nothing and takes no seq,
 * and is answered with what the store answered the first time; the name of
 * another write is a conflict; names are per board, checked in the write's
 * own transaction (two at once store one), kept across a reopen, forgotten
 * with their board and, when they say so, by a sweep; an add's, with its
 * circle when the cap drops it. Each store runs it against itself, as it
 * runs `store-contract.ts`.
 */
import { describe, expect, it } from "vitest";
import type { StoredCircle, StoredEvent } from "../lib/protocol/events.js";
import { AlreadyAppliedError, OperationConflictError, type Authority, type BoardStore, type Once } from "../lib/store/board-store.js";
import { makeBoard, makeCircle, openStoreForEachTest, storedBoard } from "./store-contract.js";
import type { UndoStoreFixture } from "./undo-store-contract.js";

const BIG = 1_000_000;
const HOST = "host-a";
const BY_HOST: Authority = { host: HOST };
const OWNER = "owner-a";

let names = 0;
/** A fresh name for a write of this kind. */
const named = (fingerprint: string, keepUntil?: number): Once => ({
  id: `op-${Date.now().toString(36)}-${++names}`,
  fingerprint,
  ...(keepUntil === undefined ? {} : { keepUntil }),
});
/** A circle's own name: its id. */
const nameOf = (circle: StoredCircle, fingerprint = `add ${circle.x} ${circle.y}`): Once => ({ id: circle.id, fingerprint });

/** Rejects with AlreadyAppliedError carrying `value`. */
async function expectApplied(write: Promise<unknown>, value: unknown): Promise<void> {
  const error: unknown = await write.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(AlreadyAppliedError);
  expect((error as AlreadyAppliedError).value).toEqual(value);
}

export function describeOnceStoreContract(name: string, makeStore: () => Promise<UndoStoreFixture>): void {
  describe(`BoardStore named writes: ${name}`, () => {
    let fixture: UndoStoreFixture;
    let store: BoardStore;
    openStoreForEachTest(makeStore, (opened) => {
      fixture = opened;
      store = opened.store;
    });

    describe("adds, named by their circle's id", () => {
      it("stores the same id once and answers the retry with the first write's changes, taking no seq", async () => {
        const board = makeBoard();
        const circle = makeCircle();
        const first = await store.add(board, circle, BIG, {}, nameOf(circle));
        expect(first).toEqual([{ seq: 1, type: "add", circle }]);
        // Sent again, even with another createdAt (a retry is made anew), it is the same write.
        await expectApplied(store.add(board, { ...circle, createdAt: circle.createdAt + 5 }, BIG, {}, nameOf(circle)), first);
        const loaded = await store.load(board);
        expect(loaded.seq).toBe(1);
        expect(loaded.circles).toEqual([circle]);
        expect(await store.add(board, makeCircle(), BIG)).toMatchObject([{ seq: 2 }]);
      });

      it("answers a retry with its add's own change, without the removes its cap made", async () => {
        const board = makeBoard();
        const [older, circle] = [makeCircle(), makeCircle()];
        await store.add(board, older, 1);
        const first = await store.add(board, circle, 1, {}, nameOf(circle));
        expect(first).toEqual([
          { seq: 2, type: "add", circle },
          { seq: 3, type: "remove", id: older.id },
        ]);
        await expectApplied(store.add(board, circle, 1, {}, nameOf(circle)), first.slice(0, 1));
      });

      it("answers a retry with the first answer after the circle was cleared, and after a later clear forgot it", async () => {
        const board = makeBoard();
        const circle = { ...makeCircle(), owner: OWNER };
        const first = await store.add(board, circle, BIG, {}, nameOf(circle));
        await store.clear(board);
        await expectApplied(store.add(board, circle, BIG, {}, nameOf(circle)), first);
        await store.clear(board);
        await expectApplied(store.add(board, circle, BIG, {}, nameOf(circle)), first);
        await expect(store.add(board, circle, BIG, {}, nameOf(circle, "add 0 0"))).rejects.toThrow(OperationConflictError);
        expect(await store.load(board)).toMatchObject({ seq: 3, circles: [] });
      });

      it("answers a retry with the first answer after the circle was undone, or removed by the host with or without its player", async () => {
        const board = makeBoard();
        await store.claim(board, HOST);
        const [undone, removed, ofPlayer, clearedOfPlayer] = [makeCircle(), makeCircle(), makeCircle(), makeCircle()].map((circle) => ({
          ...circle,
          owner: OWNER,
        })) as [StoredCircle, StoredCircle, StoredCircle, StoredCircle];
        const firsts = new Map<StoredCircle, StoredEvent[]>();
        const add = async (circle: StoredCircle) => firsts.set(circle, await store.add(board, circle, BIG, {}, nameOf(circle)));
        await add(clearedOfPlayer);
        await store.clear(board);
        for (const circle of [undone, removed, ofPlayer]) await add(circle);
        await store.removeOwned(board, undone.id, OWNER);
        await store.removeCircle(board, removed.id, BY_HOST);
        expect(await store.removePlayer(board, { id: "p1", initials: "AB", owner: OWNER }, BY_HOST)).toMatchObject([{ id: ofPlayer.id }]);
        await store.readmitPlayer(board, "p1", BY_HOST);
        const { seq } = await store.load(board);
        for (const [circle, first] of firsts) {
          await expectApplied(store.add(board, circle, BIG, {}, nameOf(circle)), first);
          await expect(store.add(board, circle, BIG, {}, nameOf(circle, "add 0 0"))).rejects.toThrow(OperationConflictError);
        }
        expect(await store.load(board)).toMatchObject({ seq, circles: [] });
      });

      it("forgets the name of a circle its board's cap dropped: a retry that late stores it again, as a new change", async () => {
        const board = makeBoard();
        const [circle, newer] = [makeCircle(), makeCircle()];
        await store.add(board, circle, 1, {}, nameOf(circle));
        await store.add(board, newer, 1);
        expect(await store.add(board, circle, 1, {}, nameOf(circle))).toEqual([
          { seq: 4, type: "add", circle },
          { seq: 5, type: "remove", id: newer.id },
        ]);
        expect(await store.load(board)).toMatchObject({ seq: 5, circles: [circle] });
      });

      it("refuses the same id with a different circle, changing nothing", async () => {
        const board = makeBoard();
        const circle = makeCircle();
        await store.add(board, circle, BIG, {}, nameOf(circle, "add 1 1"));
        const other = { ...circle, x: circle.x + 1 };
        await expect(store.add(board, other, BIG, {}, nameOf(other, "add 2 2"))).rejects.toThrow(OperationConflictError);
        expect(await store.load(board)).toMatchObject({ seq: 1, circles: [circle] });
      });

      it("refuses a name that is a circle's id, even one stored without a name of its own", async () => {
        const board = makeBoard();
        const circle = makeCircle();
        await store.add(board, circle, BIG);
        await expect(store.add(board, makeCircle({ id: circle.id }), BIG, {}, nameOf(circle))).rejects.toThrow(OperationConflictError);
        await expect(store.clear(board, {}, { id: circle.id, fingerprint: "clear" })).rejects.toThrow(OperationConflictError);
        expect((await store.load(board)).seq).toBe(1);
      });

      it("keeps names per board: the same id on two boards is two circles", async () => {
        const [a, b] = [makeBoard(), makeBoard()];
        const circle = makeCircle();
        expect(await store.add(a, circle, BIG, {}, nameOf(circle))).toEqual([{ seq: 1, type: "add", circle }]);
        expect(await store.add(b, circle, BIG, {}, nameOf(circle))).toEqual([{ seq: 1, type: "add", circle }]);
        expect((await store.load(b)).circles).toEqual([circle]);
      });

      it("does not remember a refused add: its retry is judged anew", async () => {
        const board = makeBoard();
        expect(await store.claim(board, HOST)).toBe(true);
        expect(await store.setRules(board, { draw: "host" }, BY_HOST)).toEqual({ draw: "host", chat: "everyone" });
        const circle = makeCircle();
        await expect(store.add(board, circle, BIG, {}, nameOf(circle))).rejects.toThrow(/paused/);
        await store.setRules(board, { draw: "everyone" }, BY_HOST);
        expect(await store.add(board, circle, BIG, {}, nameOf(circle))).toEqual([{ seq: 1, type: "add", circle }]);
      });

      it("stores one of two adds of the same id made at once, and answers both with its changes", async () => {
        const board = makeBoard();
        const circle = makeCircle();
        const outcomes = await Promise.allSettled([
          store.add(board, circle, BIG, {}, nameOf(circle)),
          store.add(board, circle, BIG, {}, nameOf(circle)),
        ]);
        const fulfilled = outcomes.filter((outcome) => outcome.status === "fulfilled");
        const rejected = outcomes.filter((outcome) => outcome.status === "rejected");
        expect(fulfilled).toHaveLength(1);
        expect(rejected).toHaveLength(1);
        expect(rejected[0]?.reason).toBeInstanceOf(AlreadyAppliedError);
        expect((rejected[0]?.reason as AlreadyAppliedError).value).toEqual([{ seq: 1, type: "add", circle }]);
        expect(await store.load(board)).toMatchObject({ seq: 1, circles: [circle] });
      });

      it("answers the first answer after an undone clear brought the circle back, adding no second", async () => {
        const board = makeBoard();
        const circle = makeCircle();
        const first = await store.add(board, circle, BIG, {}, nameOf(circle));
        const clear = await store.clear(board, { at: Date.now() });
        const restored = await store.restoreCleared(board, { seq: clear.seq, since: 0, maxCircles: BIG });
        expect(restored.ok).toBe(true);
        await expectApplied(store.add(board, circle, BIG, {}, nameOf(circle)), first);
        expect((await store.load(board)).circles).toHaveLength(1);
      });
    });

    describe("other writes, named by their operation ids", () => {
      it("clears once: a retry after others drew keeps what they drew", async () => {
        const board = makeBoard();
        await store.add(board, makeCircle(), BIG);
        const op = named("clear");
        const cleared = await store.clear(board, {}, op);
        const later = makeCircle();
        await store.add(board, later, BIG);
        await expectApplied(store.clear(board, {}, op), cleared);
        expect(await store.load(board)).toMatchObject({ seq: 3, circles: [later] });
      });

      it("refuses an operation id used for a different write", async () => {
        const board = makeBoard();
        const op = named("clear");
        await store.clear(board, {}, op);
        await expect(store.claim(board, HOST, { ...op, fingerprint: "claim" })).rejects.toThrow(OperationConflictError);
        expect((await store.load(board)).host).toBeUndefined();
      });

      it("undoes a circle once", async () => {
        const board = makeBoard();
        const circle = { ...makeCircle(), owner: OWNER };
        await store.add(board, circle, BIG);
        const op = named(`undo ${circle.id}`);
        const removed = await store.removeOwned(board, circle.id, OWNER, op);
        expect(removed).toEqual({ seq: 2, type: "remove", id: circle.id });
        await expectApplied(store.removeOwned(board, circle.id, OWNER, op), removed);
        expect((await store.load(board)).seq).toBe(2);
      });

      it("undoes a clear once, and does not remember one refused", async () => {
        const board = makeBoard();
        await store.add(board, makeCircle(), BIG);
        const clear = await store.clear(board, { at: Date.now() });
        const tooLate = named(`undo-clear ${clear.seq}`);
        expect(await store.restoreCleared(board, { seq: clear.seq, since: Date.now() + 60_000, maxCircles: BIG }, tooLate)).toEqual({
          ok: false,
          reason: "expired",
        });
        const op = named(`undo-clear ${clear.seq}`);
        const restored = await store.restoreCleared(board, { seq: clear.seq, since: 0, maxCircles: BIG }, op);
        expect(restored).toMatchObject({ ok: true, events: [{ seq: 3 }] });
        await expectApplied(store.restoreCleared(board, { seq: clear.seq, since: 0, maxCircles: BIG }, op), restored);
        // The refused one's name is free: here, judged anew, the clear is no longer there to undo.
        expect(await store.restoreCleared(board, { seq: clear.seq, since: 0, maxCircles: BIG }, tooLate)).toEqual({ ok: false, reason: "gone" });
      });

      it("answers the host's actions once", async () => {
        const board = makeBoard();
        const claim = named("claim");
        expect(await store.claim(board, HOST, claim)).toBe(true);
        await expectApplied(store.claim(board, HOST, claim), true);
        const lock = named("lock true");
        expect(await store.setLocked(board, HOST, true, lock)).toBe(true);
        await expectApplied(store.setLocked(board, HOST, true, lock), true);
        const rules = named("rules host");
        expect(await store.setRules(board, { draw: "host" }, BY_HOST, rules)).toEqual({ draw: "host", chat: "everyone" });
        await store.setRules(board, { draw: "everyone" }, BY_HOST);
        // The retry is answered as the first was, and does not pause drawing again.
        await expectApplied(store.setRules(board, { draw: "host" }, BY_HOST, rules), { draw: "host", chat: "everyone" });
        expect((await store.load(board)).rules).toEqual({ draw: "everyone", chat: "everyone" });
        const circle = { ...makeCircle(), owner: OWNER };
        await store.add(board, circle, BIG);
        const player = { id: "p1", initials: "AB", owner: OWNER };
        const removal = named("remove p1");
        const removed = await store.removePlayer(board, player, BY_HOST, removal);
        expect(removed).toEqual([{ seq: 2, type: "remove", id: circle.id }]);
        await expectApplied(store.removePlayer(board, player, BY_HOST, removal), removed);
        const readmit = named("readmit p1");
        expect(await store.readmitPlayer(board, "p1", BY_HOST, readmit)).toBe(true);
        await expectApplied(store.readmitPlayer(board, "p1", BY_HOST, readmit), true);
        const other = makeCircle();
        await store.add(board, other, BIG);
        const removeCircle = named(`remove-circle ${other.id}`);
        const gone = await store.removeCircle(board, other.id, BY_HOST, removeCircle);
        expect(gone).toEqual({ seq: 4, type: "remove", id: other.id });
        await expectApplied(store.removeCircle(board, other.id, BY_HOST, removeCircle), gone);
        expect((await store.load(board)).seq).toBe(4);
      });

      it("answers a deletion's retry as the first, and forgets every other name of the board with it", async () => {
        const board = makeBoard();
        const circle = makeCircle();
        await store.claim(board, HOST);
        await store.add(board, circle, BIG, {}, nameOf(circle));
        const op = named("delete");
        expect(await store.deleteBoard(board, BY_HOST, op)).toBe(true);
        await expectApplied(store.deleteBoard(board, BY_HOST, op), true);
        // The name begins again: its old circle's id is free.
        expect(await store.add(board, circle, BIG, {}, nameOf(circle))).toEqual([{ seq: 1, type: "add", circle }]);
      });
    });

    describe("how long names are kept", () => {
      it("keeps names across a reopen", async () => {
        if (!fixture.reopen) return;
        const board = makeBoard();
        const circle = makeCircle();
        const first = await store.add(board, circle, BIG, {}, nameOf(circle));
        const op = named("clear");
        const cleared = await store.clear(board, {}, op);
        store = await fixture.reopen();
        await expectApplied(store.add(board, circle, BIG, {}, nameOf(circle)), first);
        await expectApplied(store.clear(board, {}, op), cleared);
      });

      it("a sweep forgets the names whose time is up, and keeps the others and every circle's", async () => {
        const board = makeBoard();
        const circle = makeCircle();
        await store.add(board, circle, BIG, {}, nameOf(circle));
        const expired = named("clear", Date.now() - 1);
        const kept = named("clear", Date.now() + 60_000);
        await store.clear(board, {}, expired);
        const keptAnswer = await store.clear(board, {}, kept);
        expect(await store.sweep(0)).toEqual([]);
        // Forgotten: the same name clears again, taking a seq.
        expect(await store.clear(board, {}, expired)).toEqual({ seq: 4, type: "clear" });
        await expectApplied(store.clear(board, {}, kept), keptAnswer);
        await expect(store.add(board, circle, BIG, {}, nameOf(circle))).rejects.toThrow(AlreadyAppliedError);
      });

      it("a sweep of an unused board forgets its names", async () => {
        const board = makeBoard();
        const circle = makeCircle();
        await store.add(board, circle, BIG, {}, nameOf(circle));
        expect(await store.sweep(Date.now() + 1000)).toContain(board);
        expect(await store.add(board, circle, BIG, {}, nameOf(circle))).toEqual([{ seq: 1, type: "add", circle }]);
      });
    });
  });
}

/**
 * After the migration that made circle ids unique per board (both stores'):
 * board `a` (seq 4, `onA` on it, `cleared` kept by its clear at seq 3) and
 * board `b` (seq 2, `onB`) load as they were; a board's ids, cleared ones
 * included, are taken on it and free on the others; and once restored or
 * undone they stay taken, by no write a client may send. Returns the
 * circle added to `b` with `onA`'s id.
 */
export async function expectIdsTakenPerBoard(
  store: BoardStore,
  { a, b, onA, onB, cleared }: { a: string; b: string; onA: StoredCircle; onB: StoredCircle; cleared: StoredCircle[] },
): Promise<StoredCircle> {
  expect(await store.load(a)).toStrictEqual(storedBoard(4, [onA]));
  expect(await store.load(b)).toStrictEqual(storedBoard(2, [onB]));
  for (const taken of [onA, ...cleared]) await expect(store.add(a, makeCircle({ id: taken.id }), 10)).rejects.toThrow(OperationConflictError);
  await expect(store.add(b, makeCircle({ id: onB.id }), 10)).rejects.toThrow(OperationConflictError);
  const reused = makeCircle({ id: onA.id });
  expect(await store.add(b, reused, 10)).toStrictEqual([{ seq: 3, type: "add", circle: reused }]);
  expect(await store.restoreCleared(a, { seq: 3, since: 0, maxCircles: 10 })).toStrictEqual({
    ok: true,
    events: cleared.map((circle, i) => ({ seq: 5 + i, type: "add", circle })),
  });
  expect(await store.load(a)).toStrictEqual(storedBoard(6, [onA, ...cleared]));
  expect(await store.removeOwned(a, cleared[0]!.id, "owner-a")).toStrictEqual({ seq: 7, type: "remove", id: cleared[0]?.id });
  for (const taken of [onA, ...cleared]) await expect(store.add(a, makeCircle({ id: taken.id }), 10)).rejects.toThrow(OperationConflictError);
  await expect(store.clear(a, {}, { id: cleared[0]!.id, fingerprint: "clear" })).rejects.toThrow(OperationConflictError);
  return reused;
}
