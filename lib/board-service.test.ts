import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BoardService, type BoardListener, type BoardServiceOptions } from "./board-service.js";
import type { Circle, CircleInput } from "./events.js";
import { createWriteLimiter } from "./rate-limit.js";
import type { BoardStore } from "./store/board-store.js";
import { MemoryStore } from "./store/memory-store.js";
import { SqliteStore } from "./store/sqlite-store.js";

const input: CircleInput = { initials: "AB", x: 10, y: 20, dia: 30, rgba: "#abc" };

/** What a listener was told, in order, with the store's contents at the moment it was told. */
type Heard =
  | { event: "added"; board: string; circle: Circle; stored: Promise<Circle[]> }
  | { event: "removed"; board: string; ids: string[] }
  | { event: "cleared"; board: string; stored: Promise<Circle[]> };

function recordingListener(store: MemoryStore, log: Heard[]): BoardListener {
  return {
    // MemoryStore.load copies the board when called, so these promises hold
    // the contents as they were when the listener was told.
    circleAdded: (board, circle) => log.push({ event: "added", board, circle, stored: store.load(board) }),
    circlesRemoved: (board, ids) => log.push({ event: "removed", board, ids }),
    cleared: (board) => log.push({ event: "cleared", board, stored: store.load(board) }),
  };
}

describe("BoardService", () => {
  let store: MemoryStore;
  let ids: number;
  let clock: number;
  let storeErrors: { error: unknown; board: string }[];

  function service(overrides: Partial<BoardServiceOptions> = {}): BoardService {
    return new BoardService({
      store,
      limiter: createWriteLimiter({ perSecond: 1000, burst: 1000 }),
      maxCircles: 100,
      newId: () => `id-${++ids}`,
      now: () => clock,
      onStoreError: (error, board) => storeErrors.push({ error, board }),
      ...overrides,
    });
  }

  beforeEach(() => {
    store = new MemoryStore();
    ids = 0;
    clock = 1_700_000_000_000;
    storeErrors = [];
  });

  describe("listeners", () => {
    it("tells every listener even when one throws, and reports the write as done", async () => {
      const listenerErrors: unknown[] = [];
      const boards = service({ onListenerError: (error) => listenerErrors.push(error) });
      const heard: string[] = [];
      const broken = new Error("broadcast failed");
      boards.subscribe({
        circleAdded: () => {
          throw broken;
        },
        circlesRemoved: () => {},
        cleared: () => {
          throw broken;
        },
      });
      boards.subscribe({
        circleAdded: (_board, circle) => heard.push(`added ${circle.id}`),
        circlesRemoved: () => {},
        cleared: () => heard.push("cleared"),
      });

      expect(await boards.addCircle("b", input, { key: "s1" })).toMatchObject({ ok: true });
      expect(await boards.clear("b", { key: "s1" })).toEqual({ ok: true });
      expect(heard).toEqual(["added id-1", "cleared"]);
      expect(listenerErrors).toEqual([broken, broken]);
    });
  });

  describe("addCircle", () => {
    it("builds the circle with the injected id and time, and stores it", async () => {
      const boards = service();
      const result = await boards.addCircle("b", input, { key: "s1" });
      const expected: Circle = { ...input, id: "id-1", createdAt: 1_700_000_000_000 };
      expect(result).toEqual({ ok: true, circle: expected });
      expect(await store.load("b")).toEqual([expected]);
      expect(await boards.circles("b")).toEqual([expected]);
    });

    it("gives each circle its own id and time, oldest first", async () => {
      const boards = service();
      await boards.addCircle("b", input, { key: "s1" });
      clock += 5;
      await boards.addCircle("b", { ...input, x: 99 }, { key: "s1" });
      expect(await boards.circles("b")).toEqual([
        { ...input, id: "id-1", createdAt: 1_700_000_000_000 },
        { ...input, x: 99, id: "id-2", createdAt: 1_700_000_000_005 },
      ]);
    });

    it("stores, then tells listeners, then resolves", async () => {
      const boards = service();
      const log: Heard[] = [];
      const order: string[] = [];
      boards.subscribe(recordingListener(store, log));
      boards.subscribe({
        circleAdded: () => order.push("told"),
        circlesRemoved: () => order.push("removed"),
        cleared: () => order.push("cleared"),
      });

      await boards.addCircle("b", input, { key: "s1" }).then(() => order.push("resolved"));

      expect(order).toEqual(["told", "resolved"]);
      expect(log).toHaveLength(1);
      const [heard] = log;
      if (heard?.event !== "added") throw new Error(`expected an "added" event, got ${heard?.event}`);
      expect(heard.board).toBe("b");
      expect(heard.circle).toEqual({ ...input, id: "id-1", createdAt: clock });
      // The circle was already in the store when the listener was told.
      expect(await heard.stored).toEqual([heard.circle]);
    });

    it("tells every subscribed listener", async () => {
      const boards = service();
      const first: Heard[] = [];
      const second: Heard[] = [];
      boards.subscribe(recordingListener(store, first));
      boards.subscribe(recordingListener(store, second));
      await boards.addCircle("b", input, { key: "s1" });
      expect(first.map((h) => h.event)).toEqual(["added"]);
      expect(second.map((h) => h.event)).toEqual(["added"]);
    });

    it("uses a registered player's initials over the payload's", async () => {
      const boards = service();
      const result = await boards.addCircle("b", { ...input, initials: "ZZ" }, { key: "s1", initials: "PL" });
      expect(result.ok && result.circle.initials).toBe("PL");
      expect((await store.load("b"))[0]?.initials).toBe("PL");
    });

    it("uses the payload's initials when the writer has none", async () => {
      const boards = service();
      const result = await boards.addCircle("b", { ...input, initials: "ZZ" }, { key: "s1", initials: undefined });
      expect(result.ok && result.circle.initials).toBe("ZZ");
    });

    it("drops the oldest circle beyond maxCircles and tells listeners its id", async () => {
      const boards = service({ maxCircles: 3 });
      const log: Heard[] = [];
      for (let i = 0; i < 3; i++) await boards.addCircle("b", { ...input, x: i }, { key: "s1" });
      boards.subscribe(recordingListener(store, log));

      const result = await boards.addCircle("b", { ...input, x: 3 }, { key: "s1" });

      expect(result.ok && result.circle.id).toBe("id-4");
      expect(log.map(({ event, board }) => ({ event, board }))).toEqual([
        { event: "added", board: "b" },
        { event: "removed", board: "b" },
      ]);
      expect(log[1]).toEqual({ event: "removed", board: "b", ids: ["id-1"] });
      expect((await store.load("b")).map((c) => c.id)).toEqual(["id-2", "id-3", "id-4"]);
    });

    it("keeps boards apart", async () => {
      const boards = service({ maxCircles: 1 });
      await boards.addCircle("alpha", input, { key: "s1" });
      const log: Heard[] = [];
      boards.subscribe(recordingListener(store, log));
      await boards.addCircle("beta", input, { key: "s1" });
      expect(log.map((h) => h.event)).toEqual(["added"]);
      expect(log[0]?.board).toBe("beta");
      expect((await store.load("alpha")).map((c) => c.id)).toEqual(["id-1"]);
      expect((await store.load("beta")).map((c) => c.id)).toEqual(["id-2"]);
    });
  });

  describe("clear", () => {
    it("empties the board in the store, then tells listeners, then resolves", async () => {
      const boards = service();
      await boards.addCircle("b", input, { key: "s1" });
      await boards.addCircle("other", input, { key: "s1" });
      const log: Heard[] = [];
      const order: string[] = [];
      boards.subscribe(recordingListener(store, log));
      boards.subscribe({ circleAdded: () => {}, circlesRemoved: () => {}, cleared: () => order.push("told") });

      const result = await boards.clear("b", { key: "s1" }).then((r) => {
        order.push("resolved");
        return r;
      });

      expect(result).toEqual({ ok: true });
      expect(order).toEqual(["told", "resolved"]);
      expect(log).toHaveLength(1);
      const [heard] = log;
      if (heard?.event !== "cleared") throw new Error(`expected a "cleared" event, got ${heard?.event}`);
      expect(heard.board).toBe("b");
      expect(await heard.stored).toEqual([]);
      expect(await store.load("other")).toHaveLength(1);
    });
  });

  describe("rate limiting", () => {
    it("refuses the fourth immediate write of a sender with {perSecond: 2, burst: 3}, storing and announcing nothing", async () => {
      const boards = service({ limiter: createWriteLimiter({ perSecond: 2, burst: 3 }) });
      const log: Heard[] = [];
      boards.subscribe(recordingListener(store, log));

      for (let i = 0; i < 3; i++) {
        expect((await boards.addCircle("b", input, { key: "alice" })).ok).toBe(true);
      }
      log.length = 0;

      expect(await boards.addCircle("b", input, { key: "alice" })).toEqual({
        ok: false,
        reason: "rate-limited",
        error: "rate limited",
      });
      expect(await boards.clear("b", { key: "alice" })).toEqual({ ok: false, reason: "rate-limited", error: "rate limited" });
      expect(log).toEqual([]);
      expect((await store.load("b")).map((c) => c.id)).toEqual(["id-1", "id-2", "id-3"]);
      expect(storeErrors).toEqual([]);

      const other = await boards.addCircle("b", input, { key: "bob" });
      expect(other.ok).toBe(true);
      expect(log.map((h) => h.event)).toEqual(["added"]);
      expect(await store.load("b")).toHaveLength(4);
    });

    it("counts clears and adds against the same allowance", async () => {
      const boards = service({ limiter: createWriteLimiter({ perSecond: 1, burst: 2 }) });
      expect((await boards.clear("b", { key: "k" })).ok).toBe(true);
      expect((await boards.addCircle("b", input, { key: "k" })).ok).toBe(true);
      expect(await boards.clear("b", { key: "k" })).toMatchObject({ ok: false, reason: "rate-limited" });
      expect(await store.load("b")).toHaveLength(1);
    });
  });

  describe("store failures", () => {
    it("answers an add with unavailable, reports the error and announces nothing", async () => {
      const boards = service();
      const log: Heard[] = [];
      boards.subscribe(recordingListener(store, log));
      await store.close();

      const result = await boards.addCircle("b", input, { key: "s1" });

      expect(result).toEqual({ ok: false, reason: "unavailable", error: "the circle could not be saved" });
      expect(log).toEqual([]);
      expect(storeErrors).toHaveLength(1);
      expect(storeErrors[0]?.board).toBe("b");
      expect(storeErrors[0]?.error).toBeInstanceOf(Error);
      expect((storeErrors[0]?.error as Error).message).toBe("store is closed");
    });

    it("answers a clear with unavailable, reports the error and announces nothing", async () => {
      const boards = service();
      const log: Heard[] = [];
      boards.subscribe(recordingListener(store, log));
      await store.close();

      const result = await boards.clear("b", { key: "s1" });

      expect(result).toEqual({ ok: false, reason: "unavailable", error: "the board could not be cleared" });
      expect(log).toEqual([]);
      expect(storeErrors.map((e) => e.board)).toEqual(["b"]);
    });

    it("works without an onStoreError", async () => {
      const boards = service({ onStoreError: undefined });
      await store.close();
      expect(await boards.addCircle("b", input, { key: "s1" })).toMatchObject({ ok: false, reason: "unavailable" });
    });

    it("rejects circles() when the store cannot load", async () => {
      const boards = service();
      await store.close();
      await expect(boards.circles("b")).rejects.toThrow("store is closed");
    });
  });

  describe("subscribe", () => {
    it("stops telling a listener once it unsubscribes, and keeps telling the others", async () => {
      const boards = service();
      const gone: Heard[] = [];
      const staying: Heard[] = [];
      const unsubscribe = boards.subscribe(recordingListener(store, gone));
      boards.subscribe(recordingListener(store, staying));

      await boards.addCircle("b", input, { key: "s1" });
      unsubscribe();
      await boards.addCircle("b", input, { key: "s1" });
      await boards.clear("b", { key: "s1" });

      expect(gone.map((h) => h.event)).toEqual(["added"]);
      expect(staying.map((h) => h.event)).toEqual(["added", "added", "cleared"]);
    });
  });

  describe("stopWrites", () => {
    const RESTARTING = { ok: false, reason: "unavailable", error: "the server is restarting: try again shortly" };
    let dataDir: string;
    let sqlite: SqliteStore;

    // The production store: its writes wait for a group commit one `setImmediate` away, so a
    // write can be caught in the store, queued but not yet durable.
    beforeEach(async () => {
      dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "circles-board-service-"));
      sqlite = SqliteStore.open({ dataDir });
    });
    afterEach(async () => {
      await sqlite.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    });

    /** `sqlite`, and a promise that resolves once `count` writes have been handed to it. */
    function watchedStore(count: number): { store: BoardStore; handedOver: Promise<void> } {
      let handed = 0;
      let allHanded!: () => void;
      const handedOver = new Promise<void>((resolve) => (allHanded = resolve));
      const counted = <T>(write: Promise<T>): Promise<T> => {
        if (++handed === count) allHanded();
        return write;
      };
      return {
        store: {
          load: (board) => sqlite.load(board),
          add: (board, circle, maxCircles) => counted(sqlite.add(board, circle, maxCircles)),
          clear: (board) => counted(sqlite.clear(board)),
          ping: () => sqlite.ping(),
          close: () => sqlite.close(),
        },
        handedOver,
      };
    }

    function listenerLog(boards: BoardService): string[] {
      const heard: string[] = [];
      boards.subscribe({
        circleAdded: (board, circle) => heard.push(`added ${circle.id} to ${board}`),
        circlesRemoved: (board, removed) => heard.push(`removed ${removed.join()} from ${board}`),
        cleared: (board) => heard.push(`cleared ${board}`),
      });
      return heard;
    }

    it("lets the writes under way finish, resolves only after them, then refuses every write", async () => {
      const { store: watched, handedOver } = watchedStore(3);
      const boards = service({ store: watched });
      await sqlite.add("other", { ...input, id: "old", createdAt: 1 }, 100);
      const heard = listenerLog(boards);
      const before = sqlite.stats.writes;

      const underWay = [
        boards.addCircle("b", input, { key: "s1" }),
        boards.addCircle("b", { ...input, x: 99 }, { key: "s2" }),
        boards.clear("other", { key: "s1" }),
      ];
      await handedOver;
      // All three are in the store, queued for a commit that has not happened yet.
      expect(sqlite.stats.writes).toBe(before);
      expect(heard).toEqual([]);

      expect(boards.stopping).toBe(false);
      let atStop: { committed: number; heard: string[] } | undefined;
      const stopped = boards.stopWrites().then(() => {
        atStop = { committed: sqlite.stats.writes - before, heard: [...heard] };
      });
      expect(boards.stopping).toBe(true);

      // The writes under way are not refused: they finish, are stored and announced.
      expect(await Promise.all(underWay)).toEqual([
        { ok: true, circle: { ...input, id: "id-1", createdAt: clock } },
        { ok: true, circle: { ...input, x: 99, id: "id-2", createdAt: clock } },
        { ok: true },
      ]);
      await stopped;
      // By the time stopWrites resolved, every one of them was durable and announced.
      expect(atStop).toEqual({ committed: 3, heard: ["added id-1 to b", "added id-2 to b", "cleared other"] });

      // From now on every write is refused, and nothing reaches the store or the listeners.
      expect(await boards.addCircle("b", input, { key: "s3" })).toEqual(RESTARTING);
      expect(await boards.clear("b", { key: "s3" })).toEqual(RESTARTING);
      expect(await boards.addCircle("new", input, { key: "s1" })).toEqual(RESTARTING);
      expect(sqlite.stats.writes - before).toBe(3);
      expect(heard).toHaveLength(3);
      expect((await sqlite.load("b")).map((c) => c.id)).toEqual(["id-1", "id-2"]);
      expect(await sqlite.load("other")).toEqual([]);
      expect(await sqlite.load("new")).toEqual([]);
      expect(boards.stopping).toBe(true);
      expect(storeErrors).toEqual([]);
    });

    it("resolves at once when no write is under way, and still refuses later writes", async () => {
      const boards = service({ store: sqlite });
      const heard = listenerLog(boards);
      expect(boards.stopping).toBe(false);

      await boards.stopWrites();

      expect(boards.stopping).toBe(true);
      expect(await boards.addCircle("b", input, { key: "s1" })).toEqual(RESTARTING);
      expect(await boards.clear("b", { key: "s1" })).toEqual(RESTARTING);
      expect(heard).toEqual([]);
      expect(sqlite.stats.writes).toBe(0);
      expect(await sqlite.load("b")).toEqual([]);
      // Reads are not refused.
      expect(await boards.circles("b")).toEqual([]);
    });
  });
});
