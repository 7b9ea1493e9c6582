/**
 * Undo, undoing a clear, and a board's host, over real sockets on a real
 * server (SQLite): what each new event does for everyone on the board,
 * lesson clients included, and how each refuses what it must.
 */
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { BoardEvents, BoardSnapshot, Circle, CircleInput } from "../lib/protocol/events.js";
import type { ServerConfig } from "../server.js";
import { connectClient, startTestServer, type ClientOptions, type TestClient, type TestServer } from "./support/test-server.js";

const input: CircleInput = { initials: "AB", x: 100, y: 200, dia: 50, rgba: "rgba(10, 20, 30, 0.5)" };
const CIRCLE_KEYS = ["createdAt", "dia", "id", "initials", "rgba", "x", "y"];
const newKey = () => randomBytes(32).toString("base64url");

let server: TestServer | undefined;
async function start(config: Partial<ServerConfig> = {}): Promise<TestServer> {
  server = await startTestServer({ config });
  return server;
}
afterEach(async () => {
  vi.useRealTimers();
  await server?.close();
  server = undefined;
});

const on = (client: TestClient, event: string) => client.received.filter((e) => e.event === event).map((e) => e.args[0]);
const eventsOf = (client: TestClient) => (on(client, "board-events") as BoardEvents[]).flatMap((batch) => batch.events);

/** A player of `board` with a key of its own (or the one given). */
function player(board: string, playerKey = newKey(), options: ClientOptions = {}): Promise<TestClient> {
  if (!server) throw new Error("no server");
  return server.client({ board, protocol: 2, ...options, auth: { playerKey, ...options.auth } });
}

async function draw(client: TestClient, x = input.x): Promise<Circle> {
  const ack = await client.emitWithAck("add-circle", { ...input, x });
  if (!ack.ok) throw new Error(ack.error);
  return ack.circle;
}

describe("undo-circle", () => {
  it("removes the player's newest circle for everyone, then the one before, and never another player's", async () => {
    await start();
    const lesson = await server!.client({ board: "undo" });
    const watcher = await server!.client({ board: "undo", protocol: 2 });
    const alice = await player("undo");
    const bob = await player("undo");
    const [a1, a2] = [await draw(alice, 1), await draw(alice, 2)];
    const b1 = await draw(bob, 3);

    expect(await alice.emitWithAck("undo-circle", {})).toEqual({ ok: true, seq: 4, id: a2.id });
    expect(await alice.emitWithAck("undo-circle", {})).toEqual({ ok: true, seq: 5, id: a1.id });
    expect(await alice.emitWithAck("undo-circle", {})).toEqual({ ok: false, error: "nothing of yours to undo", code: "refused" });

    await vi.waitFor(() => expect(on(lesson, "remove-circle")).toEqual([{ id: a2.id }, { id: a1.id }]));
    await vi.waitFor(() =>
      expect(eventsOf(watcher).slice(3)).toEqual([
        { seq: 4, type: "remove", id: a2.id },
        { seq: 5, type: "remove", id: a1.id },
      ]),
    );
    expect((await server!.storedCircles("undo")).map((c) => c.id)).toEqual([b1.id]);
  });

  it("keeps a circle its player's across a reconnect: a new socket with the same key undoes it", async () => {
    await start();
    const key = newKey();
    const first = await player("again", key);
    const circle = await draw(first);
    first.disconnect();
    const second = await player("again", key);
    expect(await second.emitWithAck("undo-circle", { id: circle.id })).toEqual({ ok: true, seq: 2, id: circle.id });
  });

  it("takes no payload at all, and a lone acknowledgement, as `{}`", async () => {
    await start();
    const alice = await player("bare");
    const circle = await draw(alice);
    const ack = await new Promise((resolve) => (alice.emit as (event: string, ack: (answer: unknown) => void) => void)("undo-circle", resolve));
    expect(ack).toEqual({ ok: true, seq: 2, id: circle.id });
  });

  it.each([
    [5, "undo-circle takes nothing, or {id?, op?}: the id of a circle of yours"],
    ["id", "undo-circle takes nothing, or {id?, op?}: the id of a circle of yours"],
    [null, "undo-circle takes nothing, or {id?, op?}: the id of a circle of yours"],
    [{ id: 5 }, "id must be a circle's id (a string)"],
    [{ id: "" }, "id must not be empty"],
    [{ id: "x".repeat(101) }, "id is too long"],
    [{ id: "no-such-circle" }, "no such circle on this board"],
  ])("refuses %j, saying why", async (payload, error) => {
    await start();
    const alice = await player("bad-undo");
    await draw(alice);
    const code = error === "no such circle on this board" ? "refused" : "invalid";
    expect(await (alice.emitWithAck as (event: string, payload: unknown) => Promise<unknown>)("undo-circle", payload)).toEqual({
      ok: false,
      error,
      code,
    });
    expect(await server!.storedCircles("bad-undo")).toHaveLength(1);
  });

  it("refuses someone else's circle, a lesson client's, and a player without a key", async () => {
    await start();
    const alice = await player("theirs");
    const bob = await player("theirs");
    const lesson = await server!.client({ board: "theirs" });
    const keyless = await server!.client({ board: "theirs", protocol: 2 });
    const bobs = await draw(bob);
    const lessons = await draw(lesson);
    expect(await alice.emitWithAck("undo-circle", { id: bobs.id })).toEqual({
      ok: false,
      error: "that circle is not yours to undo",
      code: "refused",
    });
    expect(await alice.emitWithAck("undo-circle", { id: lessons.id })).toEqual({
      ok: false,
      error: "that circle is not yours to undo",
      code: "refused",
    });
    expect(await alice.emitWithAck("undo-circle", {})).toEqual({ ok: false, error: "nothing of yours to undo", code: "refused" });
    expect(await keyless.emitWithAck("undo-circle", {})).toEqual({
      ok: false,
      error: "undo needs a player key: connect with auth {playerKey}",
      code: "refused",
    });
    expect(await server!.storedCircles("theirs")).toHaveLength(2);
  });

  it("is rate limited like every write", async () => {
    await start({ rateLimit: { perSecond: 1, burst: 2 } });
    const alice = await player("limited");
    await draw(alice);
    await draw(alice);
    expect(await alice.emitWithAck("undo-circle", {})).toEqual({ ok: false, error: "rate limited", code: "rate-limited" });
  });

  it("never shows anyone a circle's owner: the lesson's add-circle, snapshots, board-events and the REST API", async () => {
    await start();
    const lesson = await server!.client({ board: "private" });
    const watcher = await server!.client({ board: "private", protocol: 2 });
    const alice = await player("private");
    await draw(alice);
    await vi.waitFor(() => expect(on(lesson, "add-circle")).toHaveLength(1));
    await vi.waitFor(() => expect(eventsOf(watcher)).toHaveLength(1));
    const late = await server!.client({ board: "private" });
    const returning = await server!.client({ board: "private", protocol: 2, since: 0 });
    const rest = (await (await fetch(`${server!.url}/api/boards/private/circles`)).json()) as Circle[];
    const seen = [
      on(lesson, "add-circle")[0],
      eventsOf(watcher)[0]?.type === "add" ? eventsOf(watcher)[0] : undefined,
      (on(late, "board-snapshot")[0] as BoardSnapshot).circles[0],
      eventsOf(returning)[0],
      rest[0],
    ];
    expect(seen.map((circle) => Object.keys((circle as { circle?: Circle }).circle ?? (circle as Circle)).sort())).toEqual(
      Array(5).fill(CIRCLE_KEYS),
    );
    // Stored with it, all the same.
    expect((await server!.store.load("private")).circles[0]?.owner).toMatch(/^[\w-]{43}$/);
  });

  it("refuses a connection whose keys are not keys, saying why", async () => {
    await start();
    await expect(connectClient(server!.url, { board: "keys", auth: { playerKey: 5 } })).rejects.toThrow("player key must be a string");
    await expect(connectClient(server!.url, { board: "keys", auth: { hostKey: "short" } })).rejects.toThrow(
      "host key must be 22–128 letters, digits, '-' or '_'",
    );
  });
});

describe("clear and undo-clear", () => {
  it("tells protocol-2 clients who cleared, and brings every circle back for everyone, in order, with its id, after those drawn since", async () => {
    await start();
    const lesson = await server!.client({ board: "back" });
    const watcher = await server!.client({ board: "back", protocol: 2 });
    const alice = await player("back");
    expect(await alice.emitWithAck("register-player", "ab")).toMatchObject({ ok: true });
    const before = [await draw(alice, 1), await draw(alice, 2), await draw(alice, 3)];
    expect(await alice.emitWithAck("clear-circles")).toEqual({ ok: true, seq: 4 });
    await vi.waitFor(() => expect(on(watcher, "board-cleared")).toEqual([{ seq: 4, by: "AB", undoMs: 10_000 }]));
    expect(on(lesson, "board-cleared")).toEqual([]);

    const since = await draw(await player("back"), 4);
    // Anyone may undo an unlocked board's clear.
    expect(await watcher.emitWithAck("undo-clear", 4)).toEqual({ ok: true, seq: 8 });
    await vi.waitFor(() => expect(on(lesson, "add-circle").slice(4)).toEqual(before));
    await vi.waitFor(() => expect(eventsOf(watcher).slice(-3)).toEqual(before.map((circle, i) => ({ seq: 6 + i, type: "add", circle }))));
    expect((await server!.storedCircles("back")).map((c) => c.id)).toEqual([since, ...before].map((c) => c.id));
    // Still Alice's.
    expect(await alice.emitWithAck("undo-circle", {})).toEqual({ ok: true, seq: 9, id: before[2]?.id });
  });

  it("names no one for a clear by someone unregistered, a lesson client's or a REST one", async () => {
    await start();
    const watcher = await server!.client({ board: "who", protocol: 2 });
    const lesson = await server!.client({ board: "who" });
    await lesson.emitWithAck("clear-display");
    await fetch(`${server!.url}/api/boards/who/circles`, { method: "DELETE" });
    await vi.waitFor(() =>
      expect(on(watcher, "board-cleared")).toEqual([
        { seq: 1, by: null, undoMs: 10_000 },
        { seq: 2, by: null, undoMs: 10_000 },
      ]),
    );
  });

  it.each([
    ["4", "undo-clear takes the seq of the clear (a whole number), or {seq, op?}"],
    [0, "undo-clear takes the seq of the clear (a whole number), or {seq, op?}"],
    [1.5, "undo-clear takes the seq of the clear (a whole number), or {seq, op?}"],
    [undefined, "undo-clear takes the seq of the clear (a whole number), or {seq, op?}"],
    [2, "that clear can no longer be undone"],
    [99, "that clear can no longer be undone"],
  ])("refuses %j, saying why", async (payload, error) => {
    await start();
    const alice = await player("bad-clear");
    await draw(alice);
    await draw(alice);
    await alice.emitWithAck("clear-circles");
    const code = error.startsWith("undo-clear takes") ? "invalid" : "refused";
    expect(await (alice.emitWithAck as (event: string, payload: unknown) => Promise<unknown>)("undo-clear", payload)).toEqual({
      ok: false,
      error,
      code,
    });
  });

  it("undoes a clear once, only the last one, and says so for one of an empty board", async () => {
    await start();
    const alice = await player("once");
    await draw(alice);
    await alice.emitWithAck("clear-circles");
    expect(await alice.emitWithAck("undo-clear", 2)).toEqual({ ok: true, seq: 3 });
    expect(await alice.emitWithAck("undo-clear", 2)).toEqual({ ok: false, error: "that clear can no longer be undone", code: "refused" });
    await alice.emitWithAck("clear-circles");
    await alice.emitWithAck("clear-circles");
    expect(await alice.emitWithAck("undo-clear", 4)).toEqual({ ok: false, error: "that clear can no longer be undone", code: "refused" });
    expect(await alice.emitWithAck("undo-clear", 5)).toEqual({
      ok: false,
      error: "nothing to bring back: the board was already empty",
      code: "refused",
    });
  });

  it("refuses to undo a clear more than 10 seconds old", async () => {
    // The server runs in this process: its clock is this fake one.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    await start();
    const alice = await player("late");
    await draw(alice);
    await alice.emitWithAck("clear-circles");
    vi.setSystemTime(Date.now() + 10_001);
    expect(await alice.emitWithAck("undo-clear", 2)).toEqual({ ok: false, error: "too late: a clear can be undone for 10 seconds", code: "refused" });
    expect(await server!.storedCircles("late")).toEqual([]);
  });
});

describe("hosts", () => {
  /** The board's creator: a player with the host key it made the board with. */
  async function host(board: string, hostKey = newKey()): Promise<TestClient> {
    const creator = await player(board, newKey(), { auth: { hostKey } });
    expect(on(creator, "board-lock")).toEqual([{ locked: false, host: false }]);
    expect(await creator.emitWithAck("claim-board")).toMatchObject({ ok: true, rules: { hosted: true, host: true } });
    return creator;
  }

  it("lets the creator lock the board: everyone is told, others' clears are refused (the lesson's and REST too), the host's are not", async () => {
    await start();
    const hostKey = newKey();
    const teacher = await host("class", hostKey);
    const pupil = await player("class");
    const lesson = await server!.client({ board: "class" });
    await draw(pupil);

    expect(await teacher.emitWithAck("lock-board", true)).toEqual({ ok: true, locked: true });
    await vi.waitFor(() => expect(on(pupil, "board-lock").at(-1)).toEqual({ locked: true }));
    expect(on(lesson, "board-lock")).toEqual([]);

    const locked = { ok: false, error: "locked by the host: only the host can clear this board", code: "refused" };
    expect(await pupil.emitWithAck("clear-circles")).toEqual(locked);
    expect(await lesson.emitWithAck("clear-circles")).toEqual(locked);
    expect(await lesson.emitWithAck("clear-display")).toEqual(locked);
    lesson.emit("clear-circles"); // the lesson's clients send no acknowledgement: nothing is cleared either
    const rest = await fetch(`${server!.url}/api/boards/class/circles`, { method: "DELETE" });
    expect([rest.status, await rest.json()]).toEqual([403, { error: locked.error, code: "refused" }]);
    expect(await server!.storedCircles("class")).toHaveLength(1);

    // Joining, or coming back, each is told the lock and whether it is the host.
    expect(on(await player("class"), "board-lock")).toEqual([{ locked: true, host: false }]);
    expect(on(await player("class", newKey(), { auth: { hostKey } }), "board-lock")).toEqual([{ locked: true, host: true }]);

    const cleared = await teacher.emitWithAck("clear-circles");
    expect(cleared).toEqual({ ok: true, seq: 2 });
    expect(await pupil.emitWithAck("undo-clear", 2)).toEqual({
      ok: false,
      error: "locked by the host: only the host can undo the clear",
      code: "refused",
    });
    expect(await teacher.emitWithAck("undo-clear", 2)).toEqual({ ok: true, seq: 3 });

    expect(await teacher.emitWithAck("lock-board", false)).toEqual({ ok: true, locked: false });
    await vi.waitFor(() => expect(on(pupil, "board-lock").at(-1)).toEqual({ locked: false }));
    expect(await lesson.emitWithAck("clear-display")).toEqual({ ok: true, seq: 4 });
  });

  it("refuses a lock by anyone but the host, and a lock that is not true or false", async () => {
    await start();
    const teacher = await host("mine");
    const pupil = await player("mine");
    const impostor = await player("mine", newKey(), { auth: { hostKey: newKey() } });
    const notHost = { ok: false, error: "only the board's host can lock or unlock it", code: "refused" };
    expect(await pupil.emitWithAck("lock-board", true)).toEqual(notHost);
    expect(await impostor.emitWithAck("lock-board", true)).toEqual(notHost);
    for (const payload of ["true", 1, null, undefined]) {
      expect(await (teacher.emitWithAck as (event: string, payload: unknown) => Promise<unknown>)("lock-board", payload)).toEqual({
        ok: false,
        error: "lock-board takes true (lock) or false (unlock), or {locked, op?}",
        code: "invalid",
      });
    }
    // On a board nobody claimed, nobody is the host.
    const elsewhere = await player("unclaimed", newKey(), { auth: { hostKey: newKey() } });
    expect(await elsewhere.emitWithAck("lock-board", true)).toEqual(notHost);
  });

  it("refuses a claim without a host key, of a board that has been used, and of one that has a host", async () => {
    await start();
    const keyless = await player("used");
    expect(await keyless.emitWithAck("claim-board")).toEqual({
      ok: false,
      error: "claiming a board needs a host key: connect with auth {hostKey}, or send claim-board {hostKey}",
      code: "refused",
    });
    await draw(keyless);
    const late = await player("used", newKey(), { auth: { hostKey: newKey() } });
    expect(await late.emitWithAck("claim-board")).toEqual({
      ok: false,
      error: "only a new board can be claimed: this one has been used",
      code: "refused",
    });

    await host("taken");
    const second = await player("taken", newKey(), { auth: { hostKey: newKey() } });
    expect(await second.emitWithAck("claim-board")).toEqual({ ok: false, error: "this board already has a host", code: "refused" });
    expect((await server!.store.load("taken")).seq).toBe(0);
  });
});
