import { describe, expect, it, onTestFinished, vi } from "vitest";
import type { BoardNotice, CircleInput } from "../protocol/events.js";
import { createWriteLimiter } from "../limits/rate-limit.js";
import { MemoryStore } from "../store/memory-store.js";
import { BoardService, type Writer } from "./board-service.js";
import { allowed, boardRules, hasHostPowers, ROOM_ERRORS, sweepIntervalMs } from "./room-rules.js";

const input: CircleInput = { initials: "AB", x: 10, y: 20, dia: 30, rgba: "#abc" };
const HOST = "h".repeat(43);
const OWNER = "o".repeat(43);

const hostWriter: Writer = { key: "host", host: HOST };
const player: Writer = { key: "p", owner: OWNER, initials: "AB" };
const admin: Writer = { key: "admin", admin: true };

/** A service on a memory store, both on the machine's clock, as they run. */
function setUp() {
  const store = new MemoryStore();
  const boards = new BoardService({ store, limiter: createWriteLimiter({ perSecond: 1000, burst: 1000 }), maxCircles: 100 });
  const notices: BoardNotice[] = [];
  boards.subscribe({ changed() {}, noticed: (_board, notice) => notices.push(notice) });
  return { store, boards, notices };
}

/** A board `b`, live, claimed by HOST. */
async function hosted() {
  const parts = setUp();
  await parts.boards.open("b");
  expect(await parts.boards.claim("b", hostWriter)).toEqual({ ok: true });
  return parts;
}

describe("room rules", () => {
  it("gives the host's powers to the host's key and to the admin, to nobody else", () => {
    const host = { hash: HOST, locked: false };
    expect(hasHostPowers(host, { host: HOST })).toBe(true);
    expect(hasHostPowers(host, { admin: true })).toBe(true);
    expect(hasHostPowers(undefined, { admin: true })).toBe(true);
    expect(hasHostPowers(host, { host: OWNER })).toBe(false);
    expect(hasHostPowers(undefined, { host: HOST })).toBe(false);
    expect(hasHostPowers(host, {})).toBe(false);
    expect(allowed("everyone", undefined, {})).toBe(true);
    expect(allowed("host", host, {})).toBe(false);
  });

  it("says the whole rules, the lock as `clear`", () => {
    expect(boardRules({ draw: "host", chat: "everyone" }, { hash: HOST, locked: true })).toEqual({
      draw: "host",
      chat: "everyone",
      clear: "host",
      hosted: true,
    });
    expect(boardRules({ draw: "everyone", chat: "host" }, undefined)).toEqual({ draw: "everyone", chat: "host", clear: "everyone", hosted: false });
  });

  it("sweeps a tenth of the retention apart, at least hourly and at most ten times a second", () => {
    expect(sweepIntervalMs(8_640)).toBe(864);
    expect(sweepIntervalMs(30 * 24 * 3600 * 1000)).toBe(3600 * 1000);
    expect(sweepIntervalMs(10)).toBe(100);
  });
});

describe("BoardService: the host's room", () => {
  it("pauses drawing for all but the host and the admin, and tells the listeners", async () => {
    const { boards, notices } = await hosted();
    expect(await boards.setRules("b", hostWriter, { draw: "host" })).toEqual({
      ok: true,
      rules: { draw: "host", chat: "everyone", clear: "everyone", hosted: true },
    });
    expect(notices.at(-1)).toEqual({ type: "rules", rules: { draw: "host", chat: "everyone" } });
    expect(await boards.addCircle("b", input, player)).toEqual({ ok: false, code: "refused", error: ROOM_ERRORS.drawPaused });
    expect(await boards.addCircle("b", input, hostWriter)).toMatchObject({ ok: true, seq: 1 });
    expect(await boards.addCircle("b", input, admin)).toMatchObject({ ok: true, seq: 2 });
    expect(boards.rulesOf("b")).toMatchObject({ draw: "host" });
  });

  it("refuses the rules to anyone but the host, changing nothing", async () => {
    const { boards, store } = await hosted();
    expect(await boards.setRules("b", player, { chat: "host" })).toEqual({ ok: false, code: "refused", error: ROOM_ERRORS.notHost });
    expect((await store.load("b")).rules).toEqual({ draw: "everyone", chat: "everyone" });
  });

  it("refuses a paused board's circle from the store even when the live copy missed the rules (another node set them)", async () => {
    const { boards, store } = await hosted();
    await store.setRules("b", { draw: "host" }, { host: HOST });
    expect(await boards.addCircle("b", input, player)).toEqual({ ok: false, code: "refused", error: ROOM_ERRORS.drawPaused });
    // The live copy learns the rules from the store.
    await expect.poll(() => boards.rulesOf("b")?.draw).toBe("host");
  });

  it("removes a player: their circles go, each a change, and their key is kept out of drawing", async () => {
    const { boards, notices, store } = await hosted();
    await boards.addCircle("b", input, player);
    await boards.addCircle("b", input, { key: "q", owner: "q".repeat(43) });
    await boards.addCircle("b", input, player);
    const removed = { id: "abc", initials: "AB", owner: OWNER };
    expect(await boards.removePlayer("b", hostWriter, removed)).toEqual({ ok: true, removed: 2 });
    expect(notices.at(-1)).toEqual({ type: "removed", player: removed });
    expect((await store.load("b")).circles).toHaveLength(1);
    expect(boards.peek("b")?.isRemoved(OWNER)).toBe(true);
    expect(await boards.addCircle("b", input, player)).toEqual({ ok: false, code: "refused", error: ROOM_ERRORS.removed });

    expect(await boards.readmitPlayer("b", hostWriter, "abc")).toEqual({ ok: true });
    expect(notices.at(-1)).toEqual({ type: "readmitted", id: "abc" });
    expect(boards.peek("b")?.isRemoved(OWNER)).toBe(false);
    expect(await boards.addCircle("b", input, player)).toMatchObject({ ok: true });
    expect(await boards.readmitPlayer("b", hostWriter, "abc")).toEqual({ ok: false, code: "refused", error: ROOM_ERRORS.notRemoved });
  });

  it("refuses removing oneself, and removals by anyone but the host", async () => {
    const { boards } = await hosted();
    expect(await boards.removePlayer("b", player, { id: "x", initials: "CD", owner: "c".repeat(43) })).toMatchObject({
      ok: false,
      error: ROOM_ERRORS.notHost,
    });
    expect(await boards.removePlayer("b", { ...hostWriter, owner: OWNER }, { id: "x", initials: "HO", owner: OWNER })).toMatchObject({
      ok: false,
      error: ROOM_ERRORS.notYourself,
    });
  });

  it("lets the host undo anyone's circle, and others only their own", async () => {
    const { boards } = await hosted();
    const drawn = await boards.addCircle("b", input, player);
    if (!drawn.ok) throw new Error(drawn.error);
    expect(await boards.undoCircle("b", { key: "q", owner: "q".repeat(43) }, drawn.circle.id)).toMatchObject({ ok: false });
    expect(await boards.undoCircle("b", hostWriter, drawn.circle.id)).toEqual({ ok: true, seq: 2, id: drawn.circle.id });
  });

  it("deletes the board: the listeners hear it, the live copy is gone, and the name opens empty", async () => {
    const { boards, notices, store } = await hosted();
    await boards.addCircle("b", input, player);
    expect(await boards.deleteBoard("b", player)).toMatchObject({ ok: false, error: ROOM_ERRORS.notHost });
    expect(await boards.deleteBoard("b", hostWriter)).toEqual({ ok: true });
    expect(notices.at(-1)).toEqual({ type: "deleted" });
    expect(boards.peek("b")).toBeUndefined();
    expect(await store.load("b")).toMatchObject({ seq: 0, circles: [] });
    const reopened = await boards.open("b");
    expect(reopened.seq).toBe(0);
    expect(reopened.host).toBeUndefined();
  });

  it("sweeps boards unused for the retention, but not those in use, and tells the listeners they expired", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: 1_700_000_000_000 });
    onTestFinished(() => void vi.useRealTimers());
    const { boards, notices } = setUp();
    await boards.addCircle("old", input, player);
    await boards.addCircle("busy", input, player);
    const retention = 60_000;
    expect(await boards.sweep(Date.now() - retention, [])).toEqual([]);
    // A minute and more later: both are older than the retention, but one has people on it.
    vi.setSystemTime(Date.now() + retention + 1);
    expect(await boards.sweep(Date.now() - retention, ["busy"])).toEqual(["old"]);
    expect(notices).toEqual([{ type: "deleted", expired: true }]);
    expect((await boards.read("busy")).size).toBe(1);
    expect((await boards.read("old")).size).toBe(0);
  });

  it("catches up a live copy whose board was deleted on another node: the deletion is told here too", async () => {
    const { boards, notices, store } = await hosted();
    await boards.addCircle("b", input, player);
    await boards.addCircle("b", input, player);
    // Another node deletes it and someone draws again: this node missed the notice.
    await store.deleteBoard("b", { host: HOST });
    expect(await boards.addCircle("b", input, player)).toMatchObject({ ok: true, seq: 1 });
    await expect.poll(() => notices.at(-1)).toEqual({ type: "deleted" });
    expect(boards.peek("b")).toBeUndefined();
    expect((await boards.read("b")).size).toBe(1);
  });
});
