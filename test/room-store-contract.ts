/**
 * What every BoardStore must do for a host's room (see `BoardStore`): the
 * rules of who may draw and chat, removing and readmitting players, removing
 * anyone's circle, deleting a board, each for the host or the admin only; the
 * admin's powers on locked boards; and marking boards used, for sweeping
 * those unused. Each store runs it against itself, as it runs
 * `store-contract.ts`.
 */
import { describe, expect, it } from "vitest";
import type { RemovedPlayer, StoredCircle, StoredEvent } from "../lib/protocol/events.js";
import { BoardLockedError, DrawRefusedError, NOT_HOST, type Authority, type BoardStore } from "../lib/store/board-store.js";
import { makeBoard, makeCircle, openStoreForEachTest, storedBoard } from "./store-contract.js";
import type { UndoStoreFixture } from "./undo-store-contract.js";

const BIG = 1_000_000;
const AT = 1_700_000_000_000;
const HOST = "host-a";
const host = { hash: HOST, locked: false };
const BY_HOST: Authority = { host: HOST };
const ADMIN: Authority = { admin: true };
/** Everyone who is not the host of a board hosted by HOST, and not the admin. */
const OTHERS: Authority[] = [{}, { host: "host-b" }, { host: undefined, admin: false }, { host: "host-b", admin: false }];

const owned = (owner: string): StoredCircle => ({ ...makeCircle(), owner });
const player = (owner: string, id = `id-${owner}`, initials = "AB"): RemovedPlayer => ({ id, initials, owner });
const removal = (seq: number, { id }: StoredCircle): StoredEvent => ({ seq, type: "remove", id });
const seqs = (events: StoredEvent[]) => events.map((event) => event.seq);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Rejects with a DrawRefusedError for `reason`. */
async function expectRefused(add: Promise<unknown>, reason: DrawRefusedError["reason"]): Promise<void> {
  await expect(add).rejects.toThrow(DrawRefusedError);
  await expect(add).rejects.toMatchObject({ reason });
}

export function describeRoomStoreContract(name: string, makeStore: () => Promise<UndoStoreFixture>): void {
  describe(`BoardStore rooms: ${name}`, () => {
    let fixture: UndoStoreFixture;
    let store: BoardStore;
    openStoreForEachTest(makeStore, (opened) => {
      fixture = opened;
      store = opened.store;
    });

    /** A new board hosted by HOST, after adding these circles. */
    async function hostedBoard(...circles: StoredCircle[]): Promise<string> {
      const board = makeBoard();
      expect(await store.claim(board, HOST)).toBe(true);
      for (const circle of circles) await store.add(board, circle, BIG);
      return board;
    }

    /** A new board nobody claimed, after adding these circles. */
    async function unhostedBoard(...circles: StoredCircle[]): Promise<string> {
      const board = makeBoard();
      for (const circle of circles) await store.add(board, circle, BIG);
      return board;
    }

    describe("rules", () => {
      it("lets the host change who may draw and chat, the fields given, taking no seq", async () => {
        const board = await hostedBoard();
        expect(await store.setRules(board, { draw: "host" }, BY_HOST)).toStrictEqual({ draw: "host", chat: "everyone" });
        expect(await store.setRules(board, { chat: "host" }, BY_HOST)).toStrictEqual({ draw: "host", chat: "host" });
        expect(await store.load(board)).toStrictEqual(storedBoard(0, [], { host, rules: { draw: "host", chat: "host" } }));
        expect(await store.setRules(board, {}, BY_HOST)).toStrictEqual({ draw: "host", chat: "host" });
        expect(await store.setRules(board, { draw: "everyone", chat: "everyone" }, BY_HOST)).toStrictEqual({ draw: "everyone", chat: "everyone" });
        expect(seqs(await store.add(board, makeCircle(), BIG))).toStrictEqual([1]);
      });

      it("refuses anyone else, changing nothing", async () => {
        const board = await hostedBoard();
        for (const by of OTHERS) expect(await store.setRules(board, { draw: "host" }, by)).toBe(NOT_HOST);
        // A board nobody hosts has no host to match, whatever the key.
        const unhosted = await unhostedBoard(makeCircle());
        expect(await store.setRules(unhosted, { draw: "host" }, BY_HOST)).toBe(NOT_HOST);
        expect(await store.setRules(makeBoard(), { draw: "host" }, BY_HOST)).toBe(NOT_HOST);
        expect(await store.load(board)).toStrictEqual(storedBoard(0, [], { host }));
        expect((await store.load(unhosted)).rules).toStrictEqual({ draw: "everyone", chat: "everyone" });
      });

      it("lets the admin change them on a hosted board, and on one never used, which stays unhosted and claimable", async () => {
        const hosted = await hostedBoard();
        expect(await store.setRules(hosted, { chat: "host" }, ADMIN)).toStrictEqual({ draw: "everyone", chat: "host" });
        const unused = makeBoard();
        expect(await store.setRules(unused, { draw: "host" }, ADMIN)).toStrictEqual({ draw: "host", chat: "everyone" });
        expect(await store.load(unused)).toStrictEqual(storedBoard(0, [], { rules: { draw: "host", chat: "everyone" } }));
        expect(await store.claim(unused, HOST)).toBe(true);
        expect((await store.load(unused)).rules).toStrictEqual({ draw: "host", chat: "everyone" });
      });
    });

    describe("drawing paused", () => {
      it("refuses an add but by the host or the admin while drawing is the host's, storing nothing and taking no seq", async () => {
        const board = await hostedBoard();
        await store.setRules(board, { draw: "host" }, BY_HOST);
        for (const by of OTHERS) await expectRefused(store.add(board, makeCircle(), BIG, by), "paused");
        await expectRefused(store.add(board, makeCircle(), BIG), "paused");
        const [byHost, byAdmin] = [makeCircle(), owned("owner-a")];
        expect(await store.add(board, byHost, BIG, BY_HOST)).toStrictEqual([{ seq: 1, type: "add", circle: byHost }]);
        expect(await store.add(board, byAdmin, BIG, ADMIN)).toStrictEqual([{ seq: 2, type: "add", circle: byAdmin }]);
        expect((await store.load(board)).circles).toStrictEqual([byHost, byAdmin]);
      });

      it("pauses a board nobody hosts for everyone but the admin", async () => {
        const board = makeBoard();
        await store.setRules(board, { draw: "host" }, ADMIN);
        await expectRefused(store.add(board, makeCircle(), BIG, BY_HOST), "paused");
        expect(seqs(await store.add(board, makeCircle(), BIG, ADMIN))).toStrictEqual([1]);
      });

      it("lets everyone draw again once the host says so", async () => {
        const board = await hostedBoard();
        await store.setRules(board, { draw: "host" }, BY_HOST);
        await expectRefused(store.add(board, makeCircle(), BIG), "paused");
        await store.setRules(board, { draw: "everyone" }, BY_HOST);
        expect(seqs(await store.add(board, makeCircle(), BIG))).toStrictEqual([1]);
      });

      it("refuses a paused add without failing the writes issued with it", async () => {
        const board = await hostedBoard();
        await store.setRules(board, { draw: "host" }, BY_HOST);
        const [first, refused, second] = [makeCircle(), makeCircle(), makeCircle()];
        const [added, paused, addedAfter] = await Promise.allSettled([
          store.add(board, first, BIG, BY_HOST),
          store.add(board, refused, BIG),
          store.add(board, second, BIG, BY_HOST),
        ]);
        expect(added).toStrictEqual({ status: "fulfilled", value: [{ seq: 1, type: "add", circle: first }] });
        expect(paused.status === "rejected" && paused.reason).toBeInstanceOf(DrawRefusedError);
        expect(addedAfter).toStrictEqual({ status: "fulfilled", value: [{ seq: 2, type: "add", circle: second }] });
      });

      it("lets anyone undo a clear of an unlocked board while drawing is paused: an undo is not drawing", async () => {
        const kept = makeCircle();
        const board = await hostedBoard(kept);
        const { seq } = await store.clear(board, { at: AT });
        await store.setRules(board, { draw: "host" }, BY_HOST);
        expect(await store.restoreCleared(board, { seq, since: AT, maxCircles: BIG })).toStrictEqual({
          ok: true,
          events: [{ seq: 3, type: "add", circle: kept }],
        });
      });
    });

    describe("removing players", () => {
      it("removes every circle of theirs, oldest first, one seq each, keeps the others' and keeps them out", async () => {
        const [mine1, theirs1, mine2, theirs2] = [owned("owner-a"), owned("owner-b"), owned("owner-a"), makeCircle()];
        const board = await hostedBoard(mine1, theirs1, mine2, theirs2);
        const removed = player("owner-a");
        const events = await store.removePlayer(board, removed, BY_HOST);
        expect(events).toStrictEqual([removal(5, mine1), removal(6, mine2)]);
        expect(await store.load(board)).toStrictEqual(storedBoard(6, [theirs1, theirs2], { host, removed: [removed] }));
        // Kept out while drawing is everyone's, even by the host's hand: checked first, taking no seq.
        await expectRefused(store.add(board, owned("owner-a"), BIG), "removed");
        await expectRefused(store.add(board, owned("owner-a"), BIG, BY_HOST), "removed");
        await store.setRules(board, { draw: "host" }, BY_HOST);
        await expectRefused(store.add(board, owned("owner-a"), BIG), "removed");
        expect(seqs(await store.add(board, owned("owner-b"), BIG, BY_HOST))).toStrictEqual([7]);
      });

      it("counts their circles gone for the cap", async () => {
        const kept = makeCircle();
        const board = await hostedBoard(owned("owner-a"), kept, owned("owner-a"));
        await store.removePlayer(board, player("owner-a"), BY_HOST);
        const next = makeCircle();
        // Two circles fit under a cap of 2: nothing is dropped.
        expect(await store.add(board, next, 2)).toStrictEqual([{ seq: 6, type: "add", circle: next }]);
        expect((await store.load(board)).circles).toStrictEqual([kept, next]);
      });

      it("forgets their circles the last clear kept, so that undoing it cannot bring them back", async () => {
        const [mine, theirs] = [owned("owner-a"), owned("owner-b")];
        const board = await hostedBoard(mine, theirs);
        const { seq } = await store.clear(board, { at: AT });
        expect(await store.removePlayer(board, player("owner-a"), BY_HOST)).toStrictEqual([]);
        expect(await store.restoreCleared(board, { seq, since: AT, maxCircles: BIG })).toStrictEqual({
          ok: true,
          events: [{ seq: 4, type: "add", circle: theirs }],
        });
      });

      it("keeps them in the order removed, taking no seq when they drew nothing, a later removal of the same owner in place of the earlier", async () => {
        const board = await hostedBoard();
        const [first, second, again] = [player("owner-a", "p1", "AB"), player("owner-b", "p2", "CD"), player("owner-a", "p3", "EF")];
        expect(await store.removePlayer(board, first, BY_HOST)).toStrictEqual([]);
        expect(await store.removePlayer(board, second, BY_HOST)).toStrictEqual([]);
        expect((await store.load(board)).removed).toStrictEqual([first, second]);
        expect(await store.removePlayer(board, again, BY_HOST)).toStrictEqual([]);
        expect(await store.load(board)).toStrictEqual(storedBoard(0, [], { host, removed: [second, again] }));
      });

      it("refuses anyone else, changing nothing", async () => {
        const mine = owned("owner-a");
        const board = await hostedBoard(mine);
        for (const by of OTHERS) expect(await store.removePlayer(board, player("owner-a"), by)).toBe(NOT_HOST);
        expect(await store.removePlayer(await unhostedBoard(), player("owner-a"), BY_HOST)).toBe(NOT_HOST);
        expect(await store.load(board)).toStrictEqual(storedBoard(1, [mine], { host }));
        expect(seqs(await store.add(board, owned("owner-a"), BIG))).toStrictEqual([2]);
      });

      it("lets the admin remove a player from a board nobody hosts, or from one never used", async () => {
        const [mine, theirs] = [owned("owner-a"), owned("owner-b")];
        const unhosted = await unhostedBoard(mine, theirs);
        expect(await store.removePlayer(unhosted, player("owner-a"), ADMIN)).toStrictEqual([removal(3, mine)]);
        expect(await store.load(unhosted)).toStrictEqual(storedBoard(3, [theirs], { removed: [player("owner-a")] }));
        const unused = makeBoard();
        expect(await store.removePlayer(unused, player("owner-b"), ADMIN)).toStrictEqual([]);
        expect(await store.load(unused)).toStrictEqual(storedBoard(0, [], { removed: [player("owner-b")] }));
        await expectRefused(store.add(unused, owned("owner-b"), BIG), "removed");
        // Still a board that never changed: claimable.
        expect(await store.claim(unused, HOST)).toBe(true);
      });

      it("takes effect in call order with the adds around it, refusing theirs after it without failing the others", async () => {
        const board = await hostedBoard();
        const [before, after, others] = [owned("owner-a"), owned("owner-a"), owned("owner-b")];
        const [added, removed, refused, addedOthers] = await Promise.allSettled([
          store.add(board, before, BIG),
          store.removePlayer(board, player("owner-a"), BY_HOST),
          store.add(board, after, BIG),
          store.add(board, others, BIG),
        ]);
        expect(added).toStrictEqual({ status: "fulfilled", value: [{ seq: 1, type: "add", circle: before }] });
        expect(removed).toStrictEqual({ status: "fulfilled", value: [removal(2, before)] });
        expect(refused.status === "rejected" && (refused.reason as DrawRefusedError).reason).toBe("removed");
        expect(addedOthers).toStrictEqual({ status: "fulfilled", value: [{ seq: 3, type: "add", circle: others }] });
      });
    });

    describe("readmitting players", () => {
      it("lets a removed player back by their id, for the host only, taking no seq", async () => {
        const board = await hostedBoard();
        const [removed, stays] = [player("owner-a", "p1"), player("owner-b", "p2")];
        await store.removePlayer(board, removed, BY_HOST);
        await store.removePlayer(board, stays, BY_HOST);
        for (const by of OTHERS) expect(await store.readmitPlayer(board, "p1", by)).toBe(NOT_HOST);
        expect(await store.readmitPlayer(board, "no-such-player", BY_HOST)).toBe(false);
        await expectRefused(store.add(board, owned("owner-a"), BIG), "removed");
        expect(await store.readmitPlayer(board, "p1", BY_HOST)).toBe(true);
        expect(await store.readmitPlayer(board, "p1", BY_HOST)).toBe(false);
        expect(await store.load(board)).toStrictEqual(storedBoard(0, [], { host, removed: [stays] }));
        expect(seqs(await store.add(board, owned("owner-a"), BIG))).toStrictEqual([1]);
      });

      it("lets the admin readmit on a board nobody hosts, and answers false on one never used", async () => {
        const board = makeBoard();
        await store.removePlayer(board, player("owner-a", "p1"), ADMIN);
        expect(await store.readmitPlayer(board, "p1", BY_HOST)).toBe(NOT_HOST);
        expect(await store.readmitPlayer(board, "p1", ADMIN)).toBe(true);
        expect(seqs(await store.add(board, owned("owner-a"), BIG))).toStrictEqual([1]);
        expect(await store.readmitPlayer(makeBoard(), "p1", ADMIN)).toBe(false);
      });
    });

    describe("removing anyone's circle", () => {
      it("removes any circle for the host, taking the next seq, and none, taking no seq, for an unknown id", async () => {
        const [theirs, unowned, kept] = [owned("owner-b"), makeCircle(), makeCircle()];
        const board = await hostedBoard(theirs, unowned, kept);
        expect(await store.removeCircle(board, theirs.id, BY_HOST)).toStrictEqual({ seq: 4, type: "remove", id: theirs.id });
        expect(await store.removeCircle(board, unowned.id, BY_HOST)).toStrictEqual({ seq: 5, type: "remove", id: unowned.id });
        expect(await store.removeCircle(board, unowned.id, BY_HOST)).toBeUndefined();
        expect(await store.removeCircle(board, "no-such-circle", BY_HOST)).toBeUndefined();
        expect(await store.load(board)).toStrictEqual(storedBoard(5, [kept], { host }));
        // The cap counts them gone.
        const next = makeCircle();
        expect(await store.add(board, next, 2)).toStrictEqual([{ seq: 6, type: "add", circle: next }]);
      });

      it("refuses anyone else, their owner included, changing nothing", async () => {
        const theirs = owned("owner-b");
        const board = await hostedBoard(theirs);
        for (const by of OTHERS) expect(await store.removeCircle(board, theirs.id, by)).toBe(NOT_HOST);
        expect(await store.load(board)).toStrictEqual(storedBoard(1, [theirs], { host }));
      });

      it("lets the admin remove a circle from a board nobody hosts", async () => {
        const circle = owned("owner-b");
        const board = await unhostedBoard(circle);
        expect(await store.removeCircle(board, circle.id, BY_HOST)).toBe(NOT_HOST);
        expect(await store.removeCircle(board, circle.id, ADMIN)).toStrictEqual({ seq: 2, type: "remove", id: circle.id });
        expect(await store.removeCircle(makeBoard(), circle.id, ADMIN)).toBeUndefined();
      });
    });

    describe("deleting a board", () => {
      /** A board with something of everything: circles, a clear kept, a lock, rules and a removed player. */
      async function fullBoard(): Promise<{ board: string; clearSeq: number }> {
        const board = await hostedBoard(owned("owner-a"), owned("owner-b"));
        const { seq: clearSeq } = await store.clear(board, { at: AT });
        await store.add(board, owned("owner-b"), BIG);
        await store.setLocked(board, HOST, true);
        await store.setRules(board, { draw: "host", chat: "host" }, BY_HOST);
        await store.removePlayer(board, player("owner-a"), BY_HOST);
        return { board, clearSeq };
      }

      /** Nothing of it left: the name is free again, and the removed player may draw. */
      async function expectForgotten(board: string, clearSeq: number): Promise<void> {
        expect(await store.load(board)).toStrictEqual(storedBoard(0, []));
        expect(await store.restoreCleared(board, { seq: clearSeq, since: AT, maxCircles: BIG, admin: true })).toStrictEqual({
          ok: false,
          reason: "gone",
        });
        expect(await store.claim(board, "host-b")).toBe(true);
        expect(seqs(await store.add(board, owned("owner-a"), BIG))).toStrictEqual([1]);
      }

      it("forgets everything of the board for its host: circles, the last clear, host, lock, rules, removed players and seq", async () => {
        const { board, clearSeq } = await fullBoard();
        expect(await store.deleteBoard(board, BY_HOST)).toBe(true);
        await expectForgotten(board, clearSeq);
      });

      it("refuses anyone else, changing nothing", async () => {
        const { board } = await fullBoard();
        const before = await store.load(board);
        for (const by of OTHERS) expect(await store.deleteBoard(board, by)).toBe(NOT_HOST);
        expect(await store.load(board)).toStrictEqual(before);
        expect(await store.deleteBoard(await unhostedBoard(makeCircle()), BY_HOST)).toBe(NOT_HOST);
      });

      it("lets the admin delete any board: hosted, nobody's, or never used", async () => {
        const { board, clearSeq } = await fullBoard();
        expect(await store.deleteBoard(board, ADMIN)).toBe(true);
        await expectForgotten(board, clearSeq);
        const unhosted = await unhostedBoard(makeCircle());
        expect(await store.deleteBoard(unhosted, ADMIN)).toBe(true);
        expect(await store.load(unhosted)).toStrictEqual(storedBoard(0, []));
        expect(await store.deleteBoard(makeBoard(), ADMIN)).toBe(true);
      });

      it("takes effect in call order with the writes around it", async () => {
        const board = await hostedBoard(makeCircle());
        const [before, after] = [makeCircle(), makeCircle()];
        const [added, deleted, claimed, addedAfter, loaded] = await Promise.all([
          store.add(board, before, BIG),
          store.deleteBoard(board, BY_HOST),
          store.claim(board, "host-b"),
          store.add(board, after, BIG),
          store.load(board),
        ]);
        expect(added).toStrictEqual([{ seq: 2, type: "add", circle: before }]);
        expect([deleted, claimed]).toStrictEqual([true, true]);
        expect(addedAfter).toStrictEqual([{ seq: 1, type: "add", circle: after }]);
        expect(loaded).toStrictEqual(storedBoard(1, [after], { host: { hash: "host-b", locked: false } }));
      });
    });

    describe("the admin on a locked board", () => {
      it("lets the admin clear it", async () => {
        const board = await hostedBoard(makeCircle());
        await store.setLocked(board, HOST, true);
        await expect(store.clear(board, { admin: false })).rejects.toThrow(BoardLockedError);
        await expect(store.clear(board, { host: "host-b", admin: false })).rejects.toThrow(BoardLockedError);
        expect(await store.clear(board, { admin: true, at: AT })).toStrictEqual({ seq: 2, type: "clear" });
      });

      it("lets the admin undo its clear", async () => {
        const kept = makeCircle();
        const board = await hostedBoard(kept);
        const { seq } = await store.clear(board, { at: AT });
        await store.setLocked(board, HOST, true);
        const request = { seq, since: AT, maxCircles: BIG };
        expect(await store.restoreCleared(board, { ...request, admin: false })).toStrictEqual({ ok: false, reason: "locked" });
        expect(await store.restoreCleared(board, { ...request, admin: true })).toStrictEqual({
          ok: true,
          events: [{ seq: 3, type: "add", circle: kept }],
        });
      });
    });

    describe("last use", () => {
      it("keeps a board written now from a sweep of boards unused since earlier, and sweeps it, as a delete does, once unused since", async () => {
        const board = await hostedBoard(owned("owner-a"));
        await store.setRules(board, { draw: "host" }, BY_HOST);
        await store.removePlayer(board, player("owner-b"), BY_HOST);
        expect(await store.sweep(Date.now() - 10_000)).not.toContain(board);
        expect((await store.load(board)).seq).toBe(1);
        expect(await store.sweep(Date.now() + 1)).toContain(board);
        expect(await store.load(board)).toStrictEqual(storedBoard(0, []));
        expect(await store.claim(board, "host-b")).toBe(true);
        expect(await store.sweep(Date.now() - 10_000)).not.toContain(board);
      });

      it("sweeps every board unused since, each once, one only ever touched included", async () => {
        const boards = [await unhostedBoard(makeCircle()), await hostedBoard(), makeBoard()];
        await store.touch([boards[2] as string], Date.now());
        const swept = await store.sweep(Date.now() + 1);
        expect(swept).toEqual(expect.arrayContaining(boards));
        expect(new Set(swept).size).toBe(swept.length);
        expect(await store.sweep(Date.now() + 1)).toStrictEqual([]);
      });

      it("marks a board used by every write that changes it", async () => {
        const [mine, anyones] = [owned("owner-a"), owned("owner-b")];
        const setUp = {
          add: await unhostedBoard(makeCircle()),
          clear: await unhostedBoard(makeCircle()),
          removeOwned: await unhostedBoard(mine),
          restoreCleared: await unhostedBoard(makeCircle()),
          claim: makeBoard(),
          setLocked: await hostedBoard(),
          setRules: await hostedBoard(),
          removePlayer: await hostedBoard(),
          readmitPlayer: await hostedBoard(),
          removeCircle: await hostedBoard(anyones),
          touch: makeBoard(),
          control: await hostedBoard(makeCircle()),
        };
        await store.touch([setUp.claim, setUp.touch], Date.now());
        const { seq: clearSeq } = await store.clear(setUp.restoreCleared, { at: AT });
        await store.removePlayer(setUp.readmitPlayer, player("owner-a", "p1"), BY_HOST);
        // Each board's last use so far is before `since`; each write below comes after it.
        await pause(10);
        const since = Date.now();
        await store.add(setUp.add, makeCircle(), BIG);
        await store.clear(setUp.clear);
        await store.removeOwned(setUp.removeOwned, mine.id, "owner-a");
        await store.restoreCleared(setUp.restoreCleared, { seq: clearSeq, since: AT, maxCircles: BIG });
        await store.claim(setUp.claim, HOST);
        await store.setLocked(setUp.setLocked, HOST, true);
        await store.setRules(setUp.setRules, { chat: "host" }, BY_HOST);
        await store.removePlayer(setUp.removePlayer, player("owner-b"), BY_HOST);
        await store.readmitPlayer(setUp.readmitPlayer, "p1", BY_HOST);
        await store.removeCircle(setUp.removeCircle, anyones.id, BY_HOST);
        await store.touch([setUp.touch], Date.now());
        const swept = await store.sweep(since);
        expect(swept).toContain(setUp.control);
        expect(Object.entries(setUp).filter(([, board]) => swept.includes(board))).toStrictEqual([["control", setUp.control]]);
      });

      it("marks boards used when touched, unless used later, making a row (seq 0, claimable) for a board never used", async () => {
        const [drawn, unused] = [await unhostedBoard(makeCircle()), makeBoard()];
        const later = Date.now() + 60_000;
        await store.touch([drawn, unused], later);
        await store.touch([drawn, unused], Date.now()); // earlier: changes nothing
        expect(await store.load(unused)).toStrictEqual(storedBoard(0, []));
        const swept = await store.sweep(later - 1);
        expect(swept).not.toContain(drawn);
        expect(swept).not.toContain(unused);
        expect(await store.claim(unused, HOST)).toBe(true);
        expect(await store.sweep(later + 1)).toEqual(expect.arrayContaining([drawn, unused]));
        await expect(store.touch([], later)).resolves.toBeUndefined();
      });
    });

    it("keeps the rules and removed players across close and reopen", async ({ skip }) => {
      if (!fixture.reopen) return skip("this store keeps nothing across a reopen");
      const board = await hostedBoard(owned("owner-a"));
      await store.setRules(board, { draw: "host" }, BY_HOST);
      await store.removePlayer(board, player("owner-a"), BY_HOST);
      // On the fixture too, so that the reopened store is the one closed after the test.
      store = fixture.store = await fixture.reopen();
      expect(await store.load(board)).toStrictEqual(
        storedBoard(2, [], { host, rules: { draw: "host", chat: "everyone" }, removed: [player("owner-a")] }),
      );
      await expectRefused(store.add(board, owned("owner-a"), BIG, BY_HOST), "removed");
      await expectRefused(store.add(board, makeCircle(), BIG), "paused");
      expect(await store.sweep(Date.now() - 10_000)).not.toContain(board);
    });
  });
}
