/**
 * The rules of `undo-and-host.ts` as BoardService applies them, over the
 * memory store with a clock of the test's own: whose circles a player may
 * undo, when a clear can be undone, who may claim and lock a board, and
 * what listeners (this node's sockets) and the other nodes hear of it.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { BoardService, type BoardListener, type OwnWritesListener } from "./board-service.js";
import type { BoardEvent, BoardNotice, CircleInput, StoredEvent } from "../protocol/events.js";
import { createWriteLimiter } from "../limits/rate-limit.js";
import { MemoryStore } from "../store/memory-store.js";
import { UNDO_CLEAR_MS } from "./undo-and-host.js";

const input: CircleInput = { initials: "AB", x: 10, y: 20, dia: 30, rgba: "#abc" };
const alice = { key: "s1", owner: "owner-alice" };
const bob = { key: "s2", owner: "owner-bob" };
const teacher = { key: "s3", host: "host-teacher", initials: "TE" };

describe("undo and hosts in BoardService", () => {
  let store: MemoryStore;
  let clock: number;
  let ids: number;
  let boards: BoardService;
  let heard: { board: string; events?: readonly BoardEvent[]; notice?: BoardNotice }[];
  let toOtherNodes: { events?: readonly StoredEvent[]; notice?: BoardNotice }[];

  beforeEach(async () => {
    store = new MemoryStore();
    clock = 1_700_000_000_000;
    ids = 0;
    boards = new BoardService({
      store,
      limiter: createWriteLimiter({ perSecond: 1000, burst: 1000 }),
      maxCircles: 100,
      newId: () => `id-${++ids}`,
      now: () => clock,
    });
    heard = [];
    toOtherNodes = [];
    const listener: BoardListener = {
      changed: (board, events) => heard.push({ board, events }),
      noticed: (board, notice) => heard.push({ board, notice }),
    };
    const nodes: OwnWritesListener = {
      changed: (_board, events) => toOtherNodes.push({ events }),
      noticed: (_board, notice) => toOtherNodes.push({ notice }),
    };
    boards.subscribe(listener);
    boards.subscribeOwnWrites(nodes);
    await boards.open("b");
  });

  const draw = async (writer: { key: string; owner?: string }) => {
    const result = await boards.addCircle("b", input, writer);
    if (!result.ok) throw new Error(result.error);
    return result.circle.id;
  };

  describe("undoing circles", () => {
    it("tells the other nodes a circle's owner, and this node's listeners never", async () => {
      await draw(alice);
      expect(toOtherNodes[0]?.events?.[0]).toMatchObject({ type: "add", circle: { owner: "owner-alice" } });
      expect(heard[0]?.events?.[0]).toEqual({ seq: 1, type: "add", circle: { id: "id-1", ...input, createdAt: clock } });
    });

    it("picks two different circles for two undos at once, newest first", async () => {
      const [first, second] = [await draw(alice), await draw(alice)];
      const results = await Promise.all([boards.undoCircle("b", alice), boards.undoCircle("b", alice), boards.undoCircle("b", alice)]);
      expect(results).toEqual([
        { ok: true, seq: 3, id: second },
        { ok: true, seq: 4, id: first },
        { ok: false, code: "refused", error: "nothing of yours to undo" },
      ]);
    });

    it("passes over others' circles to the player's own newest", async () => {
      const mine = await draw(alice);
      await draw(bob);
      await draw({ key: "lesson" });
      expect(await boards.undoCircle("b", alice)).toEqual({ ok: true, seq: 4, id: mine });
    });

    it("finds nothing to undo when the store no longer has it (cleared on another node, not heard of yet)", async () => {
      const mine = await draw(alice);
      // Another node's write: in the store, not announced here.
      await store.clear("b");
      expect(await boards.undoCircle("b", alice, mine)).toEqual({ ok: false, code: "refused", error: "nothing of yours to undo" });
      expect(boards.peek("b")?.has(mine)).toBe(true);
    });

    it("says the board is still loading rather than guess", async () => {
      expect(await boards.undoCircle("not-open", alice)).toEqual({
        ok: false,
        code: "unavailable",
        error: "the board is still loading: try again shortly",
      });
    });
  });

  describe("undoing a clear", () => {
    it("tells who cleared, and for how long it can be undone, to listeners and the other nodes", async () => {
      await draw(alice);
      await boards.clear("b", teacher);
      await boards.clear("b", { key: "s9" });
      const notices = [
        { type: "cleared", seq: 2, by: "TE", undoMs: UNDO_CLEAR_MS },
        { type: "cleared", seq: 3, by: null, undoMs: UNDO_CLEAR_MS },
      ];
      expect(heard.flatMap((told) => (told.notice ? [told.notice] : []))).toEqual(notices);
      expect(toOtherNodes.flatMap((told) => (told.notice ? [told.notice] : []))).toEqual(notices);
    });

    it("brings the circles back until UNDO_CLEAR_MS has passed, and not after", async () => {
      await draw(alice);
      await boards.clear("b", alice);
      clock += UNDO_CLEAR_MS;
      expect(await boards.undoClear("b", bob, 2)).toEqual({ ok: true, seq: 3 });
      expect(boards.peek("b")?.ownerOf("id-1")).toBe("owner-alice");

      await boards.clear("b", alice);
      clock += UNDO_CLEAR_MS + 1;
      expect(await boards.undoClear("b", bob, 4)).toEqual({
        ok: false,
        code: "refused",
        error: "too late: a clear can be undone for 10 seconds",
      });
    });
  });

  describe("hosts", () => {
    it("lets the host lock and unlock; a lock already in place changes nothing and tells no one", async () => {
      expect(await boards.claim("b", teacher)).toEqual({ ok: true });
      expect(await boards.setLocked("b", teacher, true)).toEqual({ ok: true, locked: true });
      expect(await boards.setLocked("b", teacher, true)).toEqual({ ok: true, locked: true });
      expect(await boards.setLocked("b", teacher, false)).toEqual({ ok: true, locked: false });
      const hosts = [false, true, false].map((locked) => ({ type: "host", host: { hash: "host-teacher", locked } }));
      expect(heard.map((told) => told.notice)).toEqual(hosts);
      expect(toOtherNodes.map((told) => told.notice)).toEqual(hosts);
      expect(boards.peek("b")?.host).toEqual({ hash: "host-teacher", locked: false });
    });

    it("refuses a clear of a locked board but the host's, and takes no seq for it", async () => {
      await boards.claim("b", teacher);
      await draw(alice);
      await boards.setLocked("b", teacher, true);
      expect(await boards.clear("b", alice)).toEqual({
        ok: false,
        code: "refused",
        error: "locked by the host: only the host can clear this board",
      });
      expect(await boards.clear("b", teacher)).toEqual({ ok: true, seq: 2 });
    });

    it("takes another node's host settings for a board live here, and for one still loading once loaded", async () => {
      const host = { hash: "host-elsewhere", locked: true };
      boards.applyRemoteNotice("b", { type: "host", host });
      expect(boards.peek("b")?.host).toEqual(host);
      expect(heard.at(-1)).toEqual({ board: "b", notice: { type: "host", host } });

      const loading = boards.open("loading");
      boards.applyRemoteNotice("loading", { type: "host", host });
      expect((await loading).host).toEqual(host);
      // A board not live here reads its host from the store when opened.
      boards.applyRemoteNotice("elsewhere", { type: "host", host });
      expect((await boards.read("elsewhere")).host).toBeUndefined();
    });

    it("learns a lock it missed (another node's notice lost) from the store, when a clear is refused", async () => {
      // Another node's writes, never announced here.
      await store.claim("b", "host-elsewhere");
      await store.setLocked("b", "host-elsewhere", true);
      expect(await boards.clear("b", alice)).toMatchObject({ ok: false, code: "refused" });
      await vi.waitFor(() => expect(boards.peek("b")?.host).toEqual({ hash: "host-elsewhere", locked: true }));
      expect(heard.at(-1)).toEqual({ board: "b", notice: { type: "host", host: { hash: "host-elsewhere", locked: true } } });
    });

    it("learns host settings it missed when it catches up from the store past a change that never came", async () => {
      const catching = new BoardService({ store, limiter: createWriteLimiter({ perSecond: 1000, burst: 1000 }), maxCircles: 100, gapWaitMs: 5 });
      const notices: BoardNotice[] = [];
      catching.subscribe({ changed: () => {}, noticed: (_board, notice) => notices.push(notice) });
      await catching.open("gap");
      await store.claim("gap", "host-elsewhere");
      await store.setLocked("gap", "host-elsewhere", true);
      await store.add("gap", { id: "lost", ...input, createdAt: 1 }, 100);
      const [second] = await store.add("gap", { id: "heard", ...input, createdAt: 2 }, 100);
      catching.applyRemote("gap", second ? [second] : []);
      await vi.waitFor(() => expect(notices).toEqual([{ type: "host", host: { hash: "host-elsewhere", locked: true } }]));
      expect(catching.peek("gap")?.seq).toBe(2);
    });

    it("refuses a second claim and a lock by anyone else from its live copy, without asking the store", async () => {
      await boards.claim("b", teacher);
      const writes = store.setLocked.bind(store);
      let asked = 0;
      store.setLocked = (...args) => {
        asked++;
        return writes(...args);
      };
      expect(await boards.claim("b", { key: "s4", host: "host-other" })).toEqual({
        ok: false,
        code: "refused",
        error: "this board already has a host",
      });
      expect(await boards.setLocked("b", { key: "s4", host: "host-other" }, true)).toMatchObject({ ok: false, code: "refused" });
      expect(asked).toBe(0);
    });
  });
});
