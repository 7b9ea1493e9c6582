import { describe, expect, it, beforeEach, vi } from "vitest";
import { BoardService, type BoardListener, type BoardServiceOptions } from "./board-service.js";
import type { BoardEvent, Circle, CircleInput } from "../protocol/events.js";
import { createWriteLimiter } from "../limits/rate-limit.js";
import type { BoardStore, StoredBoard } from "../store/board-store.js";
import { MemoryStore } from "../store/memory-store.js";

const input: CircleInput = { initials: "AB", x: 10, y: 20, dia: 30, rgba: "#abc" };

/** What a listener was told, in order, with the store's contents at the moment it was told. */
interface Heard {
  board: string;
  events: readonly BoardEvent[];
  stored: Promise<StoredBoard>;
}

function recordingListener(store: MemoryStore, log: Heard[]): BoardListener {
  // MemoryStore.load copies the board when called, so `stored` holds the
  // contents as they were when the listener was told.
  return { changed: (board, events) => log.push({ board, events, stored: store.load(board) }) };
}

/** A loaded board's seq and circles, without its settings (host, rules, removed players). */
function circlesIn(stored: StoredBoard): Pick<StoredBoard, "seq" | "circles">;
function circlesIn(stored: StoredBoard | undefined): Pick<StoredBoard, "seq" | "circles"> | undefined;
function circlesIn(stored: StoredBoard | undefined) {
  return stored && { seq: stored.seq, circles: stored.circles };
}

/** A short text per change, for comparing what listeners heard. */
const describeEvent = (board: string, event: BoardEvent) =>
  event.type === "add"
    ? `${event.seq} add ${event.circle.id} to ${board}`
    : event.type === "remove"
      ? `${event.seq} remove ${event.id} from ${board}`
      : `${event.seq} clear ${board}`;

function textListener(heard: string[]): BoardListener {
  return { changed: (board, events) => heard.push(...events.map((event) => describeEvent(board, event))) };
}

/** The ids of the circles a node holds live for `board`, oldest first. */
const liveIds = (boards: BoardService, board: string) =>
  boards
    .peek(board)
    ?.snapshot()
    .circles.map((circle) => circle.id);

/** The memory store with some of its methods replaced. */
function wrapped(inner: MemoryStore, overrides: Partial<BoardStore>): BoardStore {
  return {
    load: (board) => inner.load(board),
    add: (board, circle, maxCircles, by) => inner.add(board, circle, maxCircles, by),
    clear: (board, options) => inner.clear(board, options),
    removeOwned: (board, id, owner) => inner.removeOwned(board, id, owner),
    restoreCleared: (board, request) => inner.restoreCleared(board, request),
    claim: (board, hash) => inner.claim(board, hash),
    setLocked: (board, hash, locked) => inner.setLocked(board, hash, locked),
    setRules: (board, rules, by) => inner.setRules(board, rules, by),
    removePlayer: (board, player, by) => inner.removePlayer(board, player, by),
    readmitPlayer: (board, id, by) => inner.readmitPlayer(board, id, by),
    removeCircle: (board, id, by) => inner.removeCircle(board, id, by),
    deleteBoard: (board, by) => inner.deleteBoard(board, by),
    touch: (boards, at) => inner.touch(boards, at),
    sweep: (before) => inner.sweep(before),
    ping: () => inner.ping(),
    close: () => inner.close(),
    ...overrides,
  };
}

/**
 * The memory store with its writes held back until `release()`: a write can
 * then be caught under way, called but not yet durable.
 */
function gatedStore(inner: MemoryStore) {
  let open!: () => void;
  const closedGate = () => new Promise<void>((resolve) => (open = resolve));
  let gate = closedGate();
  let handed = 0;
  const held = <T>(call: Promise<T>, isWrite = true) => {
    if (isWrite) handed++;
    return gate.then(() => call);
  };
  // Loads wait too, so that everything settles in call order as the contract says.
  const store = wrapped(inner, {
    load: (board) => held(inner.load(board), false),
    add: (board, circle, maxCircles) => held(inner.add(board, circle, maxCircles)),
    clear: (board) => held(inner.clear(board)),
  });
  return {
    store,
    handed: () => handed,
    release() {
      open();
      gate = closedGate();
    },
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

  /** The board's seq and circles as the store holds them, without its settings. */
  const circlesOf = async (board: string) => circlesIn(await store.load(board));

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
        changed: () => {
          throw broken;
        },
      });
      boards.subscribe(textListener(heard));

      expect(await boards.addCircle("b", input, { key: "s1" })).toMatchObject({ ok: true, seq: 1 });
      expect(await boards.clear("b", { key: "s1" })).toEqual({ ok: true, seq: 2 });
      expect(heard).toEqual(["1 add id-1 to b", "2 clear b"]);
      expect(listenerErrors).toEqual([broken, broken]);
    });

    it("stops telling a listener once it unsubscribes, and keeps telling the others", async () => {
      const boards = service();
      const gone: string[] = [];
      const staying: string[] = [];
      const unsubscribe = boards.subscribe(textListener(gone));
      boards.subscribe(textListener(staying));

      await boards.addCircle("b", input, { key: "s1" });
      unsubscribe();
      await boards.addCircle("b", input, { key: "s1" });
      await boards.clear("b", { key: "s1" });

      expect(gone).toEqual(["1 add id-1 to b"]);
      expect(staying).toEqual(["1 add id-1 to b", "2 add id-2 to b", "3 clear b"]);
    });
  });

  describe("addCircle", () => {
    it("builds the circle with the injected id and time, stores it and answers with its seq", async () => {
      const boards = service();
      const result = await boards.addCircle("b", input, { key: "s1" });
      const expected: Circle = { ...input, id: "id-1", createdAt: 1_700_000_000_000 };
      expect(result).toEqual({ ok: true, circle: expected, seq: 1 });
      expect(await circlesOf("b")).toEqual({ seq: 1, circles: [expected] });
      expect((await boards.read("b")).snapshot()).toEqual({ board: "b", seq: 1, circles: [expected] });
    });

    it("gives each circle its own id, time and seq, oldest first", async () => {
      const boards = service();
      await boards.addCircle("b", input, { key: "s1" });
      clock += 5;
      const second = await boards.addCircle("b", { ...input, x: 99 }, { key: "s1" });
      expect(second).toMatchObject({ ok: true, seq: 2 });
      expect((await boards.read("b")).snapshot().circles).toEqual([
        { ...input, id: "id-1", createdAt: 1_700_000_000_000 },
        { ...input, x: 99, id: "id-2", createdAt: 1_700_000_000_005 },
      ]);
    });

    it("stores, then tells listeners, then resolves", async () => {
      const boards = service();
      const log: Heard[] = [];
      const order: string[] = [];
      boards.subscribe(recordingListener(store, log));
      boards.subscribe({ changed: () => order.push("told") });

      await boards.addCircle("b", input, { key: "s1" }).then(() => order.push("resolved"));

      expect(order).toEqual(["told", "resolved"]);
      const circle = { ...input, id: "id-1", createdAt: clock };
      expect(log.map(({ board, events }) => ({ board, events }))).toEqual([{ board: "b", events: [{ seq: 1, type: "add", circle }] }]);
      // The circle was already in the store when the listener was told.
      expect(circlesIn(await log[0]?.stored)).toEqual({ seq: 1, circles: [circle] });
    });

    it("uses a registered player's initials over the payload's", async () => {
      const boards = service();
      const result = await boards.addCircle("b", { ...input, initials: "ZZ" }, { key: "s1", initials: "PL" });
      expect(result.ok && result.circle.initials).toBe("PL");
      expect((await store.load("b")).circles[0]?.initials).toBe("PL");
    });

    it("uses the payload's initials when the writer has none", async () => {
      const boards = service();
      const result = await boards.addCircle("b", { ...input, initials: "ZZ" }, { key: "s1", initials: undefined });
      expect(result.ok && result.circle.initials).toBe("ZZ");
    });

    it("drops the oldest circle beyond maxCircles and tells listeners, each change with its seq", async () => {
      const boards = service({ maxCircles: 3 });
      for (let i = 0; i < 3; i++) await boards.addCircle("b", { ...input, x: i }, { key: "s1" });
      const heard: string[] = [];
      boards.subscribe(textListener(heard));

      const result = await boards.addCircle("b", { ...input, x: 3 }, { key: "s1" });

      expect(result).toMatchObject({ ok: true, seq: 4, circle: { id: "id-4" } });
      expect(heard).toEqual(["4 add id-4 to b", "5 remove id-1 from b"]);
      expect((await store.load("b")).circles.map((c) => c.id)).toEqual(["id-2", "id-3", "id-4"]);
    });

    it("keeps boards and their seqs apart", async () => {
      const boards = service({ maxCircles: 1 });
      await boards.addCircle("alpha", input, { key: "s1" });
      const heard: string[] = [];
      boards.subscribe(textListener(heard));
      expect(await boards.addCircle("beta", input, { key: "s1" })).toMatchObject({ seq: 1 });
      expect(heard).toEqual(["1 add id-2 to beta"]);
      expect((await store.load("alpha")).circles.map((c) => c.id)).toEqual(["id-1"]);
    });
  });

  describe("clear", () => {
    it("empties the board in the store, then tells listeners, then resolves with its seq", async () => {
      const boards = service();
      await boards.addCircle("b", input, { key: "s1" });
      await boards.addCircle("other", input, { key: "s1" });
      const log: Heard[] = [];
      const order: string[] = [];
      boards.subscribe(recordingListener(store, log));
      boards.subscribe({ changed: () => order.push("told") });

      const result = await boards.clear("b", { key: "s1" }).then((r) => {
        order.push("resolved");
        return r;
      });

      expect(result).toEqual({ ok: true, seq: 2 });
      expect(order).toEqual(["told", "resolved"]);
      expect(log.map(({ board, events }) => ({ board, events }))).toEqual([{ board: "b", events: [{ seq: 2, type: "clear" }] }]);
      expect(circlesIn(await log[0]?.stored)).toEqual({ seq: 2, circles: [] });
      expect((await store.load("other")).circles).toHaveLength(1);
    });
  });

  describe("live boards", () => {
    it("loads a board once however many open it, and keeps it up to date with every write", async () => {
      await store.add("b", { ...input, id: "old", createdAt: 1 }, 100);
      let loads = 0;
      const boards = service({
        store: wrapped(store, {
          load: (board) => {
            loads++;
            return store.load(board);
          },
        }),
      });
      const [first, second] = await Promise.all([boards.open("b"), boards.open("b")]);
      expect(first).toBe(second);
      expect(loads).toBe(1);
      expect(boards.peek("b")).toBe(first);

      await boards.addCircle("b", input, { key: "s1" });
      await boards.clear("b", { key: "s1" });
      await boards.addCircle("b", { ...input, x: 5 }, { key: "s1" });
      expect(first.snapshot()).toEqual({ board: "b", seq: 4, circles: [{ ...input, x: 5, id: "id-2", createdAt: clock }] });
      expect(first.snapshot()).toEqual({ ...(await circlesOf("b")), board: "b" });
      expect(loads).toBe(1);
    });

    it("shares one snapshot object and one JSON text per version", async () => {
      const boards = service();
      const live = await boards.open("b");
      await boards.addCircle("b", input, { key: "s1" });
      const snapshot = live.snapshot();
      expect(live.snapshot()).toBe(snapshot);
      expect(JSON.parse(live.circlesJson())).toEqual(snapshot.circles);
      await boards.addCircle("b", input, { key: "s1" });
      expect(live.snapshot()).not.toBe(snapshot);
      expect(live.snapshot().circles).toHaveLength(2);
    });

    it("announces, in seq order and once each, writes that finish while the board is loading", async () => {
      const gated = gatedStore(store);
      const boards = service({ store: gated.store });
      const heard: string[] = [];
      boards.subscribe(textListener(heard));
      // The first write is called before the load (the load reflects it), the second after.
      const before = boards.addCircle("b", input, { key: "s1" });
      await new Promise((resolve) => setImmediate(resolve));
      const opened = boards.open("b");
      const after = boards.addCircle("b", { ...input, x: 2 }, { key: "s1" });
      await new Promise((resolve) => setImmediate(resolve));
      expect(gated.handed()).toBe(2);
      gated.release();
      const live = await opened;
      await Promise.all([before, after]);
      expect(heard).toEqual(["1 add id-1 to b", "2 add id-2 to b"]);
      expect(live.seq).toBe(2);
      expect(live.snapshot().circles.map((c) => c.id)).toEqual(["id-1", "id-2"]);
    });

    it("calls onLive the moment the board is live, before a write that finished with its load is applied", async () => {
      const gated = gatedStore(store);
      const boards = service({ store: gated.store });
      const seen: number[] = [];
      const opened = boards.open("b", (live) => seen.push(live.seq));
      const write = boards.addCircle("b", input, { key: "s1" });
      await new Promise((resolve) => setImmediate(resolve));
      // The load and the write settle together, the load first.
      gated.release();
      await Promise.all([opened, write]);
      expect(seen).toEqual([0]);
      // A board already live is handed over at once.
      void boards.open("b", (live) => seen.push(live.seq));
      expect(seen).toEqual([0, 1]);
    });

    it("forgets a board whose load failed, so the next open tries again", async () => {
      let fail = true;
      const boards = service({
        store: wrapped(store, { load: (board) => (fail ? Promise.reject(new Error("disk on fire")) : store.load(board)) }),
      });
      await expect(boards.open("b")).rejects.toThrow("disk on fire");
      expect(boards.peek("b")).toBeUndefined();
      fail = false;
      await expect(boards.open("b")).resolves.toMatchObject({ seq: 0 });
      expect(boards.peek("b")).toBeDefined();
    });

    it("keeps a released board live among the few idle ones, and lets the oldest idle ones go", async () => {
      const boards = service();
      for (let i = 0; i < 20; i++) {
        await boards.open(`b${i}`);
        boards.release(`b${i}`);
      }
      const held = await boards.open("held");
      expect(boards.peek("b19")).toBeDefined();
      expect(boards.peek("b4")).toBeDefined();
      expect(boards.peek("b3")).toBeUndefined();
      expect(boards.peek("b0")).toBeUndefined();
      for (let i = 0; i < 20; i++) {
        await boards.open(`c${i}`);
        boards.release(`c${i}`);
      }
      expect(boards.peek("held")).toBe(held);
    });

    it("tells what a returning client missed, or that a snapshot is cheaper", async () => {
      const boards = service();
      const live = await boards.open("b");
      for (let i = 0; i < 5; i++) await boards.addCircle("b", { ...input, x: i }, { key: "s1" });
      expect(live.since(5)).toEqual([]);
      expect(live.since(3)?.map((event) => event.seq)).toEqual([4, 5]);
      // Missing all five costs no more than the five circles.
      expect(live.since(0)).toHaveLength(5);
      // A client ahead of the board saw another board (the store was replaced).
      expect(live.since(6)).toBeUndefined();
      await boards.clear("b", { key: "s1" });
      // One clear costs more than an empty board.
      expect(live.since(5)).toBeUndefined();
    });
  });

  describe("rate limiting", () => {
    it("refuses the fourth immediate write of a sender with {perSecond: 2, burst: 3}, storing and announcing nothing", async () => {
      const boards = service({ limiter: createWriteLimiter({ perSecond: 2, burst: 3 }) });
      const heard: string[] = [];
      boards.subscribe(textListener(heard));

      for (let i = 0; i < 3; i++) {
        expect((await boards.addCircle("b", input, { key: "alice" })).ok).toBe(true);
      }
      heard.length = 0;

      expect(await boards.addCircle("b", input, { key: "alice" })).toEqual({
        ok: false,
        code: "rate-limited",
        error: "rate limited",
      });
      expect(await boards.clear("b", { key: "alice" })).toEqual({ ok: false, code: "rate-limited", error: "rate limited" });
      expect(heard).toEqual([]);
      expect((await store.load("b")).circles.map((c) => c.id)).toEqual(["id-1", "id-2", "id-3"]);
      expect(storeErrors).toEqual([]);

      expect((await boards.addCircle("b", input, { key: "bob" })).ok).toBe(true);
      expect(heard).toEqual(["4 add id-4 to b"]);
    });

    it("counts clears and adds against the same allowance", async () => {
      const boards = service({ limiter: createWriteLimiter({ perSecond: 1, burst: 2 }) });
      expect((await boards.clear("b", { key: "k" })).ok).toBe(true);
      expect((await boards.addCircle("b", input, { key: "k" })).ok).toBe(true);
      expect(await boards.clear("b", { key: "k" })).toMatchObject({ ok: false, code: "rate-limited" });
      expect((await store.load("b")).circles).toHaveLength(1);
    });
  });

  describe("store failures", () => {
    it("answers an add with unavailable, reports the error and announces nothing", async () => {
      const boards = service();
      const heard: string[] = [];
      boards.subscribe(textListener(heard));
      await store.close();

      const result = await boards.addCircle("b", input, { key: "s1" });

      expect(result).toEqual({ ok: false, code: "unavailable", error: "the circle could not be saved" });
      expect(heard).toEqual([]);
      expect(storeErrors).toHaveLength(1);
      expect(storeErrors[0]?.board).toBe("b");
      expect((storeErrors[0]?.error as Error).message).toBe("store is closed");
    });

    it("answers a clear with unavailable, reports the error and announces nothing", async () => {
      const boards = service();
      const heard: string[] = [];
      boards.subscribe(textListener(heard));
      await store.close();

      const result = await boards.clear("b", { key: "s1" });

      expect(result).toEqual({ ok: false, code: "unavailable", error: "the board could not be cleared" });
      expect(heard).toEqual([]);
      expect(storeErrors.map((e) => e.board)).toEqual(["b"]);
    });

    it("works without an onStoreError", async () => {
      const boards = service({ onStoreError: undefined });
      await store.close();
      expect(await boards.addCircle("b", input, { key: "s1" })).toMatchObject({ ok: false, code: "unavailable" });
    });

    it("rejects a read when the store cannot load", async () => {
      const boards = service();
      await store.close();
      await expect(boards.read("b")).rejects.toThrow("store is closed");
    });
  });

  describe("stopWrites", () => {
    const RESTARTING = { ok: false, code: "unavailable", error: "the server is restarting: try again shortly" };

    it("lets the writes under way finish, resolves only after them, then refuses every write", async () => {
      const gated = gatedStore(store);
      const boards = service({ store: gated.store });
      const heard: string[] = [];
      boards.subscribe(textListener(heard));

      const underWay = [
        boards.addCircle("b", input, { key: "s1" }),
        boards.addCircle("b", { ...input, x: 99 }, { key: "s2" }),
        boards.clear("other", { key: "s1" }),
      ];
      await new Promise((resolve) => setImmediate(resolve));
      // All three are in the store, not yet durable.
      expect(gated.handed()).toBe(3);
      expect(heard).toEqual([]);

      expect(boards.stopping).toBe(false);
      let heardAtStop: string[] | undefined;
      const stopped = boards.stopWrites().then(() => {
        heardAtStop = [...heard];
      });
      expect(boards.stopping).toBe(true);
      // Refused while the others are still under way.
      expect(await boards.addCircle("b", input, { key: "s3" })).toEqual(RESTARTING);
      gated.release();

      expect(await Promise.all(underWay)).toEqual([
        { ok: true, circle: { ...input, id: "id-1", createdAt: clock }, seq: 1 },
        { ok: true, circle: { ...input, x: 99, id: "id-2", createdAt: clock }, seq: 2 },
        { ok: true, seq: 1 },
      ]);
      await stopped;
      // By the time stopWrites resolved, every one of them was durable and announced.
      expect(heardAtStop).toEqual(["1 add id-1 to b", "2 add id-2 to b", "1 clear other"]);

      expect(await boards.clear("b", { key: "s3" })).toEqual(RESTARTING);
      expect(await boards.addCircle("new", input, { key: "s1" })).toEqual(RESTARTING);
      expect(gated.handed()).toBe(3);
      expect(heard).toHaveLength(3);
      expect((await store.load("b")).circles.map((c) => c.id)).toEqual(["id-1", "id-2"]);
      expect(await circlesOf("new")).toEqual({ seq: 0, circles: [] });
      expect(storeErrors).toEqual([]);
    });

    it("resolves at once when no write is under way, and still serves reads", async () => {
      const boards = service();
      const heard: string[] = [];
      boards.subscribe(textListener(heard));

      await boards.stopWrites();

      expect(boards.stopping).toBe(true);
      expect(await boards.addCircle("b", input, { key: "s1" })).toEqual(RESTARTING);
      expect(await boards.clear("b", { key: "s1" })).toEqual(RESTARTING);
      expect(heard).toEqual([]);
      expect((await boards.read("b")).snapshot()).toEqual({ board: "b", seq: 0, circles: [] });
    });
  });

  describe("changes from other nodes", () => {
    /** Two nodes on one store; what each node's own writes stored, as it would announce them. */
    function twoNodes() {
      const [first, second] = [service(), service()];
      type Announced = { board: string; events: readonly BoardEvent[] }[];
      const announced: [Announced, Announced] = [[], []];
      first.subscribeOwnWrites({ changed: (board, events) => announced[0].push({ board, events }) });
      second.subscribeOwnWrites({ changed: (board, events) => announced[1].push({ board, events }) });
      return { first, second, announced };
    }

    it("applies them to a live board in seq order, whatever order they arrive in, and tells its listeners, not its own-write ones", async () => {
      const { first, second, announced } = twoNodes();
      await second.open("b");
      const heard: string[] = [];
      second.subscribe(textListener(heard));
      for (let i = 0; i < 3; i++) await first.addCircle("b", input, { key: "w" });

      for (const { board, events } of [...announced[0]].reverse()) second.applyRemote(board, events);

      expect(heard).toEqual(["1 add id-1 to b", "2 add id-2 to b", "3 add id-3 to b"]);
      expect(second.peek("b")?.snapshot()).toEqual((await first.read("b")).snapshot());
      expect(announced[1]).toEqual([]);
    });

    it("reads the board from the store when a retry is answered with a seq its live copy never reached (the other node's announcement was lost)", async () => {
      const { first, second } = twoNodes();
      await second.open("b");
      const replaced: number[] = [];
      second.subscribe({ changed: () => undefined, replaced: (_, live) => replaced.push(live.seq) });
      const named = { ...input, id: "tap-00000001" };
      const stored = await first.addCircle("b", named, { key: "w" });
      // Its announcement never reaches the second node; the client's retry does.
      expect(await second.addCircle("b", named, { key: "w" })).toEqual(stored);
      await vi.waitFor(() => expect(replaced).toEqual([1]));
      expect(liveIds(second, "b")).toEqual(["tap-00000001"]);
    });

    it("holds this node's own change back until the other node's earlier one arrives", async () => {
      const { first, second, announced } = twoNodes();
      await second.open("b");
      const heard: string[] = [];
      second.subscribe(textListener(heard));
      await first.addCircle("b", input, { key: "w" });
      expect(await second.addCircle("b", input, { key: "w" })).toMatchObject({ ok: true, seq: 2 });
      expect(heard).toEqual([]);

      for (const { board, events } of announced[0]) second.applyRemote(board, events);

      expect(heard).toEqual(["1 add id-1 to b", "2 add id-2 to b"]);
      expect(announced[1].map(({ events }) => events.map((e) => e.seq))).toEqual([[2]]);
    });

    it("gives a board still loading the changes once it is live, and leaves boards not live here to the store", async () => {
      const { first, second, announced } = twoNodes();
      await first.addCircle("b", input, { key: "w" });
      const loading = second.open("b");
      for (const { board, events } of announced[0]) second.applyRemote(board, events);
      second.applyRemote("elsewhere", [{ seq: 1, type: "clear" }]);

      expect((await loading).snapshot()).toMatchObject({ seq: 1, circles: [{ id: "id-1" }] });
      expect(second.peek("elsewhere")).toBeUndefined();
    });

    it("catches a live board up from the store when another node's change never arrives, and tells its listeners", async () => {
      const [first, second] = [service(), service({ gapWaitMs: 20 })];
      await second.open("b");
      const heard: string[] = [];
      const replaced: unknown[] = [];
      second.subscribe({ ...textListener(heard), replaced: (board, live) => replaced.push([board, live.snapshot()]) });
      // The first node's change is stored, but its announcement is lost.
      await first.addCircle("b", input, { key: "w" });
      await second.addCircle("b", input, { key: "w" });
      expect(heard).toEqual([]);

      await vi.waitFor(() => expect(replaced).toHaveLength(1));
      const stored = await circlesOf("b");
      expect(replaced).toEqual([["b", { board: "b", ...stored }]]);
      expect(stored.circles.map((c) => c.id)).toEqual(["id-1", "id-2"]);
      expect(second.peek("b")?.waiting).toBe(false);
      // Not deaf afterwards: the next change is told as usual.
      await second.addCircle("b", input, { key: "w" });
      expect(heard).toEqual(["3 add id-3 to b"]);
    });

    it("does not take a board for deleted when changes newer than the store's read arrive while it is read", async () => {
      const first = service();
      const reads: (() => void)[] = [];
      // This node's reads see the store as it was when they began, and answer when let go.
      const second = service({
        store: wrapped(store, {
          load: async (board) => {
            const read = await store.load(board);
            await new Promise<void>((resolve) => reads.push(resolve));
            return read;
          },
        }),
      });
      const opened = second.open("b");
      await vi.waitFor(() => expect(reads).toHaveLength(1));
      reads[0]?.();
      await opened;
      const notices: string[] = [];
      second.subscribe({ ...textListener([]), noticed: (board, notice) => notices.push(`${notice.type} ${board}`) });
      second.catchUp();
      await vi.waitFor(() => expect(reads).toHaveLength(2));
      // The read has begun; meanwhile another node writes, and this node hears of it.
      const events: BoardEvent[] = [];
      first.subscribeOwnWrites({ changed: (_board, written) => events.push(...written) });
      await first.addCircle("b", input, { key: "w" });
      second.applyRemote("b", events);
      expect(second.peek("b")?.seq).toBe(1);

      reads[1]?.();
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(notices).toEqual([]);
      expect(liveIds(second, "b")).toEqual(["id-1"]);
    });

    it("catches up, when asked, the live boards the store is ahead of, with no later change to show the gap", async () => {
      const [first, second] = [service(), service()];
      await Promise.all([second.open("behind"), second.open("level")]);
      const replaced: string[] = [];
      second.subscribe({ ...textListener([]), replaced: (board) => replaced.push(board) });
      // The first node's change is stored, but its announcement is lost, and nothing follows it.
      await first.addCircle("behind", input, { key: "w" });

      second.catchUp();
      await vi.waitFor(() => expect(replaced).toEqual(["behind"]));
      expect(second.peek("behind")?.snapshot()).toEqual({ board: "behind", ...(await circlesOf("behind")) });
      expect(second.peek("level")?.snapshot().seq).toBe(0);
    });
  });
});
