/**
 * The project's own protocol (`protocol=2`) over real sockets, beside the
 * lesson's: board order by seq, one `board-events` message per tick, resuming
 * with `since`, `sync-board`, and the limits on registrations and REST reads.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { BoardEvent, BoardEvents, BoardSnapshot, CircleInput } from "../lib/protocol/events.js";
import { rawRequest } from "./support/raw-http.js";
import type { ServerConfig } from "../server.js";
import { startTestServer, type TestClient, type TestServer } from "./support/test-server.js";

const circle: CircleInput = { initials: "AB", x: 100, y: 200, dia: 50, rgba: "rgba(10, 20, 30, 0.5)" };

let server: TestServer;
async function start(config: Partial<ServerConfig> = {}): Promise<TestServer> {
  server = await startTestServer({ config });
  return server;
}
afterEach(async () => {
  await server?.close();
});

const received = (client: TestClient, event: string) => client.received.filter((e) => e.event === event).map((e) => e.args[0]);
const batches = (client: TestClient) => received(client, "board-events") as BoardEvents[];
const eventsOf = (client: TestClient) => batches(client).flatMap((batch) => batch.events);
const snapshotOf = (client: TestClient) => received(client, "board-snapshot")[0] as BoardSnapshot | undefined;

/** Adds `count` circles at once from `sender`; resolves with their acks' seqs. */
async function addMany(sender: TestClient, count: number): Promise<number[]> {
  const acks = await Promise.all(Array.from({ length: count }, (_, i) => sender.emitWithAck("add-circle", { ...circle, x: i })));
  return acks.map((ack) => (ack.ok ? ack.seq : -1));
}

describe("protocol 2", () => {
  it("sends a tick's changes as one board-events message, gapless and in seq order, and none of the lesson's events", async () => {
    await start();
    const watcher = await server.client({ board: "p2", protocol: 2 });
    const lesson = await server.client({ board: "p2" });
    const sender = await server.client({ board: "p2" });
    expect(snapshotOf(watcher)).toEqual({ board: "p2", seq: 0, circles: [] });

    const seqs = await addMany(sender, 30);
    expect(seqs).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    await vi.waitFor(() => expect(eventsOf(watcher)).toHaveLength(30));

    expect(eventsOf(watcher).map((event) => event.seq)).toEqual(seqs);
    expect(eventsOf(watcher).every((event) => event.type === "add")).toBe(true);
    // 30 writes acknowledged within a few ticks: far fewer messages than changes.
    expect(batches(watcher).length).toBeLessThanOrEqual(5);
    for (const name of ["add-circle", "remove-circle", "clear-circles", "clear-display"]) {
      expect(received(watcher, name), name).toEqual([]);
    }
    // The lesson's client on the same board gets one add-circle per circle, as before.
    expect(received(lesson, "add-circle")).toHaveLength(30);
  });

  it("numbers adds, cap removals and clears alike, and acknowledges each with its seq", async () => {
    await start({ maxCircles: 2 });
    const watcher = await server.client({ board: "cap", protocol: 2 });
    const sender = await server.client({ board: "cap" });
    const acks = [];
    for (let i = 0; i < 3; i++) acks.push(await sender.emitWithAck("add-circle", { ...circle, x: i }));
    const cleared = await sender.emitWithAck("clear-circles");
    expect(acks.map((ack) => ack.ok && ack.seq)).toEqual([1, 2, 3]);
    expect(cleared).toEqual({ ok: true, seq: 5 });

    await vi.waitFor(() => expect(eventsOf(watcher)).toHaveLength(5));
    const first = acks[0]?.ok ? acks[0].circle.id : "";
    expect(eventsOf(watcher).map(({ seq, type }) => `${seq} ${type}`)).toEqual(["1 add", "2 add", "3 add", "4 remove", "5 clear"]);
    expect(eventsOf(watcher)[3]).toEqual({ seq: 4, type: "remove", id: first });
  });

  it("gives a late joiner the snapshot at the seq it reflects, then only later changes", async () => {
    await start();
    const sender = await server.client({ board: "late" });
    await addMany(sender, 5);
    const late = await server.client({ board: "late", protocol: 2 });
    const snapshot = snapshotOf(late);
    expect(snapshot?.seq).toBe(5);
    expect(snapshot?.circles).toHaveLength(5);
    await addMany(sender, 2);
    await vi.waitFor(() => expect(eventsOf(late).map((e) => e.seq)).toEqual([6, 7]));
  });

  it("sends a returning client only what it missed, as board-events, and no snapshot, when that is no more than the board", async () => {
    await start();
    const sender = await server.client({ board: "back" });
    await addMany(sender, 10);
    const before = await server.client({ board: "back", protocol: 2 });
    const seq = snapshotOf(before)?.seq ?? -1;
    before.disconnect();
    await addMany(sender, 3);

    const back = await server.client({ board: "back", protocol: 2, since: seq });
    expect(snapshotOf(back)).toBeUndefined();
    const [missed] = batches(back);
    expect(missed?.events.map(({ seq: s, type }) => `${s} ${type}`)).toEqual(["11 add", "12 add", "13 add"]);
    // The resume came before the player list, as a snapshot would.
    expect(back.received.map((e) => e.event).slice(0, 2)).toEqual(["board-events", "update-player-list"]);
  });

  it("answers a client that is up to date with an empty board-events", async () => {
    await start();
    const sender = await server.client({ board: "same" });
    await addMany(sender, 3);
    const back = await server.client({ board: "same", protocol: 2, since: 3 });
    expect(batches(back)).toEqual([{ events: [] }]);
    expect(snapshotOf(back)).toBeUndefined();
  });

  it("sends a snapshot when the missed changes cost more than the board, or the client is ahead", async () => {
    await start();
    const sender = await server.client({ board: "far" });
    await addMany(sender, 4);
    await sender.emitWithAck("clear-circles");
    await addMany(sender, 1);
    for (const since of [0, 2, 99]) {
      const back = await server.client({ board: "far", protocol: 2, since });
      expect(batches(back), `since ${since}`).toEqual([]);
      expect(snapshotOf(back), `since ${since}`).toMatchObject({ seq: 6, circles: [expect.objectContaining({ x: 0 })] });
    }
  });

  it("answers sync-board with what was missed or the whole board, and refuses a bad since", async () => {
    await start();
    const client = await server.client({ board: "sync", protocol: 2 });
    await addMany(client, 6);
    const missed = await client.emitWithAck("sync-board", 4);
    expect(missed.ok && "events" in missed && missed.events.map((e: BoardEvent) => e.seq)).toEqual([5, 6]);
    await client.emitWithAck("clear-circles");
    await addMany(client, 1);
    const whole = await client.emitWithAck("sync-board", 0);
    expect(whole.ok && "snapshot" in whole && whole.snapshot.seq).toBe(8);
    for (const bad of [-1, 1.5, "3", null, Number.NaN]) {
      expect(await client.emitWithAck("sync-board", bad as number), String(bad)).toEqual({
        ok: false,
        error: "since must be a whole number",
        code: "invalid",
      });
    }
    expect(client.connected).toBe(true);
  });

  it("refuses a handshake with an unknown protocol or a bad since, saying why", async () => {
    await start();
    await expect(server.client({ board: "x", protocol: 3 as 2 })).rejects.toThrow("protocol must be 1 or 2");
    await expect(server.client({ board: "x", protocol: 2, since: -4 })).rejects.toThrow("since must be a whole number");
  });
});

describe("player lists", () => {
  it("are announced at most once per tick: ten registrations at once reach a watcher in a few lists, the last one whole", async () => {
    await start();
    const watcher = await server.client({ board: "crowd" });
    const players = await Promise.all(Array.from({ length: 10 }, () => server.client({ board: "crowd" })));
    const before = received(watcher, "update-player-list").length;
    await Promise.all(players.map((player, i) => player.emitWithAck("register-player", `P${i}`)));
    const expected = players.map((_, i) => `P${i}`).sort();
    await vi.waitFor(() => expect([...(received(watcher, "update-player-list").at(-1) as string[])].sort()).toEqual(expected));
    expect(received(watcher, "update-player-list").length - before).toBeLessThanOrEqual(3);
  });

  it("reach lesson and protocol 2 clients alike", async () => {
    await start();
    const lesson = await server.client({ board: "both" });
    const batched = await server.client({ board: "both", protocol: 2 });
    await lesson.emitWithAck("register-player", "LE");
    await vi.waitFor(() => {
      expect(received(batched, "update-player-list").at(-1)).toEqual(["LE"]);
      expect(received(lesson, "update-player-list").at(-1)).toEqual(["LE"]);
    });
  });
});

describe("limits", () => {
  it("rate-limits sync-board like a write, keeping the connection", async () => {
    await start({ rateLimit: { perSecond: 2, burst: 2 } });
    const client = await server.client({ protocol: 2 });
    expect(await client.emitWithAck("sync-board", 0)).toMatchObject({ ok: true });
    expect(await client.emitWithAck("sync-board", 0)).toMatchObject({ ok: true });
    expect(await client.emitWithAck("sync-board", 0)).toEqual({ ok: false, error: "rate limited", code: "rate-limited" });
    expect(client.connected).toBe(true);
  });

  it("rate-limits register-player like any write, keeping the connection", async () => {
    await start({ rateLimit: { perSecond: 2, burst: 2 } });
    const client = await server.client();
    expect(await client.emitWithAck("register-player", "AA")).toMatchObject({ ok: true, initials: "AA" });
    expect(await client.emitWithAck("register-player", "BB")).toMatchObject({ ok: true, initials: "BB" });
    expect(await client.emitWithAck("register-player", "CC")).toEqual({ ok: false, error: "rate limited", code: "rate-limited" });
    expect(client.connected).toBe(true);
    expect(server.presence.initialsOf(client.id ?? "")).toBe("BB");
  });

  it("rate-limits REST reads per address, five times the write allowance", async () => {
    await start({ rateLimit: { perSecond: 1, burst: 1 } });
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await rawRequest(server.url, { method: "GET", path: "/api/boards/r" })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const refused = await rawRequest(server.url, { method: "GET", path: "/api/boards/r/circles" });
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body)).toEqual({ error: "rate limited", code: "rate-limited" });
  });

  it("serves GET /api/boards/:board with its seq, built from the live board", async () => {
    await start();
    const sender = await server.client({ board: "rest" });
    await addMany(sender, 2);
    const response = await rawRequest(server.url, { method: "GET", path: "/api/boards/rest" });
    const body = JSON.parse(response.body) as { board: string; seq: number; circles: unknown[]; players: string[] };
    expect(response.headers["content-type"]).toMatch(/^application\/json/);
    expect(body).toMatchObject({ board: "rest", seq: 2, players: [] });
    expect(body.circles).toEqual(server.boards.peek("rest")?.snapshot().circles);
  });
});
