/**
 * Who is here, over real sockets: everyone connected is counted, watchers
 * too; players get a colour of their own; live pointers reach the board's
 * other `protocol=2` clients, coalesced per tick.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { BoardPeople, CursorMoves } from "../lib/protocol/events.js";
import { startTestServer, type TestClient, type TestServer } from "./support/test-server.js";

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

const received = <T>(client: TestClient, event: string) => client.received.filter((e) => e.event === event).map((e) => e.args[0] as T);
const lastPeople = (client: TestClient) => received<BoardPeople>(client, "board-people").at(-1);
const moves = (client: TestClient) => received<CursorMoves>(client, "cursors");

describe("who is here", () => {
  it("counts watchers who never register, and lists the players among them", async () => {
    server = await startTestServer();
    const projector = await server.client({ board: "class", protocol: 2 });
    await vi.waitFor(() => expect(lastPeople(projector)).toEqual({ here: 1, players: [] }));
    const tab = await server.client({ board: "class", protocol: 2 });
    await vi.waitFor(() => expect(lastPeople(projector)).toEqual({ here: 2, players: [] }));
    expect(lastPeople(tab)).toEqual({ here: 2, players: [] });
    const registered = await tab.emitWithAck("register-player", "AB");
    expect(registered).toEqual({ ok: true, initials: "AB", id: expect.any(String), colour: expect.stringMatching(/^#[0-9a-f]{6}$/) });
    if (!registered.ok) return;
    await vi.waitFor(() =>
      expect(lastPeople(projector)).toEqual({ here: 2, players: [{ id: registered.id, initials: "AB", colour: registered.colour }] }),
    );
    tab.disconnect();
    await vi.waitFor(() => expect(lastPeople(projector)).toEqual({ here: 1, players: [] }));
    // The lesson's clients see the player list only, and only when it changes.
    const lesson = await server.client({ board: "class" });
    expect(received(lesson, "board-people")).toEqual([]);
  });

  it("tells two players with the same initials apart by id and colour, and keeps each colour while they stay", async () => {
    server = await startTestServer();
    const [one, two, watcher] = [
      await server.client({ board: "twins" }),
      await server.client({ board: "twins" }),
      await server.client({ board: "twins", protocol: 2 }),
    ];
    const first = await one.emitWithAck("register-player", "AB");
    const second = await two.emitWithAck("register-player", "AB");
    if (!first.ok || !second.ok) throw new Error("registration refused");
    expect(second.id).not.toBe(first.id);
    expect(second.colour).not.toBe(first.colour);
    const renamed = await one.emitWithAck("register-player", "XY");
    expect(renamed).toEqual({ ok: true, initials: "XY", id: first.id, colour: first.colour });
    await vi.waitFor(() =>
      expect(lastPeople(watcher)?.players).toEqual([
        { id: first.id, initials: "XY", colour: first.colour },
        { id: second.id, initials: "AB", colour: second.colour },
      ]),
    );
  });
});

describe("live pointers", () => {
  it("sends each player's last position per tick to the board's protocol 2 clients", async () => {
    server = await startTestServer();
    const [mover, viewer, lesson, elsewhere] = [
      await server.client({ board: "ptr", protocol: 2 }),
      await server.client({ board: "ptr", protocol: 2 }),
      await server.client({ board: "ptr" }),
      await server.client({ board: "other", protocol: 2 }),
    ];
    const registered = await mover.emitWithAck("register-player", "MV");
    if (!registered.ok) throw new Error(registered.error);
    // Sent plainly: the client's volatile emits would drop most of a burst before it left.
    for (let i = 1; i <= 20; i++) mover.emit("cursor", { x: i * 10, y: i * 5 });
    await vi.waitFor(() =>
      expect(
        moves(viewer)
          .flatMap((m) => m.cursors)
          .at(-1),
      ).toEqual({ id: registered.id, x: 200, y: 100 }),
    );
    // Twenty moves in one burst: a message or two, not twenty.
    expect(moves(viewer).length).toBeLessThanOrEqual(3);
    expect(moves(viewer).every((m) => m.cursors.length === 1)).toBe(true);
    expect([received(lesson, "cursors"), moves(elsewhere)]).toEqual([[], []]);
  });

  it("answers bad pointers, and pointers of someone not registered, with a reason", async () => {
    server = await startTestServer();
    const sender = await server.client({ board: "ptr-bad", protocol: 2 });
    expect(await sender.emitWithAck("cursor", { x: 1, y: 1 })).toEqual({ ok: false, error: "register initials first", code: "refused" });
    await sender.emitWithAck("register-player", "PB");
    const bad: [unknown, string][] = [
      [null, "a cursor must be an object of {x, y}"],
      [{ x: "1", y: 1 }, "x must be a finite number"],
      [{ x: 1, y: -1 }, "y must be between 0 and 1080"],
      [{ x: 1921, y: 1 }, "x must be between 0 and 1920"],
    ];
    for (const [payload, error] of bad) expect(await sender.emitWithAck("cursor", payload as never)).toEqual({ ok: false, error, code: "invalid" });
    expect(await sender.emitWithAck("cursor", { x: 1920, y: 0 })).toEqual({ ok: true });
  });

  it("lets a second's moves through without touching the event budget, and cuts off a flood of them", async () => {
    // 40 events a second, and a burst of 20 writes.
    server = await startTestServer({ config: { rateLimit: { perSecond: 10, burst: 20 } } });
    const player = await server.client({ board: "ptr-flood", protocol: 2 });
    await player.emitWithAck("register-player", "PF");
    // 40 moves, then every click the write limit allows: were moves counted, half the clicks would be dropped.
    for (let i = 0; i < 40; i++) player.emit("cursor", { x: i, y: i });
    const clicks = await Promise.all(
      Array.from({ length: 19 }, (_, i) => player.emitWithAck("add-circle", { initials: "PF", x: i, y: i, dia: 9, rgba: "#101010" })),
    );
    expect(clicks.filter((ack) => !ack.ok)).toEqual([]);
    const flooder = await server.client({ board: "ptr-flood", protocol: 2 });
    await flooder.emitWithAck("register-player", "FL");
    for (let i = 0; i < 500; i++) flooder.emit("cursor", { x: 1, y: 1 });
    await vi.waitFor(() => expect(flooder.connected).toBe(false), 3_000);
    expect(player.connected).toBe(true);
  });
});
