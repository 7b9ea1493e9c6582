/**
 * The host runs the room, over real sockets on a real server (SQLite):
 * the rules (who may draw and chat), removing a player and any circle,
 * deleting a board, the operator's admin key, and the retention sweep; what
 * each does for everyone on the board, lesson clients and REST included,
 * and how each refuses what it must.
 */
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { BoardEvents, BoardRules, Circle, CircleInput } from "../lib/protocol/events.js";
import type { ServerConfig } from "../server.js";
import { connectOutcome, nextEvent, startTestServer, type ClientOptions, type TestClient, type TestServer } from "./support/test-server.js";

const input: CircleInput = { initials: "AB", x: 100, y: 200, dia: 50, rgba: "rgba(10, 20, 30, 0.5)" };
const newKey = () => randomBytes(32).toString("base64url");
const ADMIN_KEY = "operator-admin-key-0123456789";

let server: TestServer | undefined;
async function start(config: Partial<ServerConfig> = {}): Promise<TestServer> {
  server = await startTestServer({ config: { adminKey: ADMIN_KEY, ...config } });
  return server;
}
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const on = (client: TestClient, event: string) => client.received.filter((e) => e.event === event).map((e) => e.args[0]);
const eventsOf = (client: TestClient) => (on(client, "board-events") as BoardEvents[]).flatMap((batch) => batch.events);
const lastRules = (client: TestClient) => on(client, "board-rules").at(-1) as BoardRules | undefined;

function player(board: string, playerKey = newKey(), options: ClientOptions = {}): Promise<TestClient> {
  return server!.client({ board, protocol: 2, ...options, auth: { playerKey, ...options.auth } });
}

/** A player who registers `initials`; resolves with the client and its public id. */
async function registered(board: string, initials: string, playerKey = newKey()): Promise<{ client: TestClient; id: string; key: string }> {
  const client = await player(board, playerKey);
  const ack = await client.emitWithAck("register-player", initials);
  if (!ack.ok) throw new Error(ack.error);
  return { client, id: ack.id, key: playerKey };
}

/** The host of a new board: claims it with a host key of its own. */
async function host(board: string): Promise<TestClient> {
  const hostKey = newKey();
  const client = await player(board, newKey(), { auth: { hostKey } });
  const ack = await client.emitWithAck("claim-board");
  if (!ack.ok) throw new Error(ack.error);
  return client;
}

async function draw(client: TestClient, x = input.x): Promise<Circle> {
  const ack = await client.emitWithAck("add-circle", { ...input, x });
  if (!ack.ok) throw new Error(ack.error);
  return ack.circle;
}

/** Resolves once the socket is disconnected by the server, or rejects after `timeoutMs`. */
function disconnected(client: TestClient, timeoutMs = 3000): Promise<string> {
  if (client.disconnected) return Promise.resolve("already");
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not disconnected within ${timeoutMs} ms`)), timeoutMs);
    client.once("disconnect", (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

async function restGet(board: string): Promise<{ seq: number; circles: Circle[] }> {
  const response = await fetch(`${server!.url}/api/boards/${board}`);
  return (await response.json()) as { seq: number; circles: Circle[] };
}

describe("board-rules", () => {
  it("tells protocol-2 clients the whole rules on joining, and whether they are the host", async () => {
    await start();
    const someone = await player("rules-join");
    expect(lastRules(someone)).toEqual({ draw: "everyone", chat: "everyone", clear: "everyone", hosted: false, host: false });
    const boss = await host("rules-join");
    expect(lastRules(boss)).toEqual({ draw: "everyone", chat: "everyone", clear: "everyone", hosted: true, host: true });
    await vi.waitFor(() => expect(lastRules(someone)).toEqual({ draw: "everyone", chat: "everyone", clear: "everyone", hosted: true }));
    const later = await player("rules-join");
    expect(lastRules(later)).toMatchObject({ hosted: true, host: false });
  });
});

describe("set-rules", () => {
  it("pauses drawing for everyone but the host, on both protocols and REST, and resumes it", async () => {
    await start();
    const boss = await host("pause");
    const other = await player("pause");
    const lesson = await server!.client({ board: "pause" });
    const mine = await draw(other, 10);

    expect(await boss.emitWithAck("set-rules", { draw: "host" })).toEqual({
      ok: true,
      rules: { draw: "host", chat: "everyone", clear: "everyone", hosted: true, host: true },
    });
    await vi.waitFor(() => expect(lastRules(other)).toMatchObject({ draw: "host", chat: "everyone" }));

    expect(await other.emitWithAck("add-circle", input)).toEqual({
      ok: false,
      error: "the host paused drawing: only the host can draw now",
      code: "refused",
    });
    // A lesson client that asks for no answer: nothing stored, nothing relayed.
    lesson.emit("add-circle", input);
    const rest = await fetch(`${server!.url}/api/boards/pause/circles`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(input),
    });
    expect(rest.status).toBe(403);
    expect(await rest.json()).toEqual({ error: "the host paused drawing: only the host can draw now", code: "refused" });
    // Undoing one's own circle is never paused; the host still draws.
    expect(await other.emitWithAck("undo-circle", { id: mine.id })).toMatchObject({ ok: true, id: mine.id });
    const hosts = await draw(boss, 20);
    expect((await server!.storedCircles("pause")).map((c) => c.id)).toEqual([hosts.id]);
    await vi.waitFor(() => expect(on(lesson, "add-circle").map((c) => (c as Circle).id)).toEqual([mine.id, hosts.id]));

    expect(await boss.emitWithAck("set-rules", { draw: "everyone" })).toMatchObject({ ok: true, rules: { draw: "everyone" } });
    await vi.waitFor(() => expect(lastRules(other)).toMatchObject({ draw: "everyone" }));
    await draw(other, 30);
  });

  it("keeps chat to the host: others are refused with the reason, the host is heard", async () => {
    await start();
    const boss = await host("hush");
    const other = await player("hush");
    expect(await boss.emitWithAck("set-rules", { chat: "host" })).toMatchObject({ ok: true, rules: { chat: "host", draw: "everyone" } });
    expect(await other.emitWithAck("message", { text: "hello" })).toEqual({
      ok: false,
      error: "the host paused chat: only the host can chat now",
      code: "refused",
    });
    expect(await boss.emitWithAck("message", { text: "quiet please" })).toEqual({ ok: true });
    await vi.waitFor(() => expect(on(other, "message").map((m) => (m as { text: string }).text)).toContain("quiet please"));
    expect(on(other, "message").map((m) => (m as { text: string }).text)).not.toContain("hello");
  });

  it("refuses anyone but the host, and payloads that are not rules, saying why", async () => {
    await start();
    await host("rules-refused");
    const other = await player("rules-refused");
    expect(await other.emitWithAck("set-rules", { draw: "host" })).toEqual({
      ok: false,
      error: "only the board's host can do that",
      code: "refused",
    });
    const boss = await host("rules-bad");
    for (const bad of [{}, { draw: "nobody" }, { draw: "host", colour: "red" }, "host", null, 3]) {
      const ack = await boss.emitWithAck("set-rules", bad as never);
      expect(ack.ok, JSON.stringify(bad)).toBe(false);
      if (!ack.ok) expect(ack.error).toMatch(/set-rules|everyone/);
    }
    expect(boss.connected).toBe(true);
  });

  it("keeps the rules in the store, where every node reads them", async () => {
    await start();
    const boss = await host("kept");
    await boss.emitWithAck("set-rules", { draw: "host", chat: "host" });
    expect((await server!.store.load("kept")).rules).toEqual({ draw: "host", chat: "host" });
  });
});

describe("remove-player", () => {
  it("disconnects every socket of the player, removes their circles for everyone, and keeps their key out until let back", async () => {
    await start();
    const boss = await host("kick");
    const lesson = await server!.client({ board: "kick" });
    const watcher = await player("kick");
    const ab = await registered("kick", "AB");
    const abAgain = await player("kick", ab.key);
    const cd = await registered("kick", "CD");
    const [a1, a2] = [await draw(ab.client, 1), await draw(abAgain, 2)];
    const c1 = await draw(cd.client, 3);

    const gone = [disconnected(ab.client), disconnected(abAgain)];
    const told = nextEvent(ab.client, "player-removed");
    expect(await boss.emitWithAck("remove-player", { id: ab.id })).toEqual({ ok: true, removed: 2 });
    expect(await told).toEqual([{ reason: "the host removed you from this board" }]);
    // Told, and given a moment to leave by itself: meanwhile nothing more is taken from it.
    expect(await abAgain.emitWithAck("clear-circles")).toEqual({ ok: false, error: "the host removed you from this board", code: "refused" });
    await Promise.all(gone);

    expect((await server!.storedCircles("kick")).map((c) => c.id)).toEqual([c1.id]);
    await vi.waitFor(() => expect(on(lesson, "remove-circle")).toEqual([{ id: a1.id }, { id: a2.id }]));
    await vi.waitFor(() =>
      expect(eventsOf(watcher).filter((e) => e.type === "remove")).toEqual([
        { seq: 4, type: "remove", id: a1.id },
        { seq: 5, type: "remove", id: a2.id },
      ]),
    );
    await vi.waitFor(() => expect(on(boss, "removed-players").at(-1)).toEqual([{ id: ab.id, initials: "AB" }]));
    expect(on(watcher, "removed-players")).toEqual([]);
    expect(cd.client.connected).toBe(true);

    expect(await connectOutcome(server!.url, "kick", { playerKey: ab.key })).toBe("the host removed you from this board");
    // Another board is not theirs to be kept out of.
    expect(await connectOutcome(server!.url, "elsewhere", { playerKey: ab.key })).toBe("connected");

    expect(await boss.emitWithAck("readmit-player", { id: ab.id })).toEqual({ ok: true });
    await vi.waitFor(() => expect(on(boss, "removed-players").at(-1)).toEqual([]));
    expect(await connectOutcome(server!.url, "kick", { playerKey: ab.key })).toBe("connected");
    expect(await boss.emitWithAck("readmit-player", { id: ab.id })).toEqual({ ok: false, error: "no removed player has that id", code: "refused" });
  });

  it("refuses anyone but the host, an unknown id, a player without a key, the host themselves, and bad payloads", async () => {
    await start();
    const boss = await host("kick-refused");
    const ab = await registered("kick-refused", "AB");
    expect(await ab.client.emitWithAck("remove-player", { id: ab.id })).toEqual({
      ok: false,
      error: "only the board's host can do that",
      code: "refused",
    });
    expect(await boss.emitWithAck("remove-player", { id: "nobody" })).toEqual({ ok: false, error: "no such player on this board", code: "refused" });
    const keyless = await server!.client({ board: "kick-refused", protocol: 2 });
    const keylessAck = await keyless.emitWithAck("register-player", "ZZ");
    if (!keylessAck.ok) throw new Error(keylessAck.error);
    expect(await boss.emitWithAck("remove-player", { id: keylessAck.id })).toEqual({
      ok: false,
      error: "that player has no player key, so they cannot be kept out: pause drawing instead",
      code: "refused",
    });
    const me = await boss.emitWithAck("register-player", "HO");
    if (!me.ok) throw new Error(me.error);
    expect(await boss.emitWithAck("remove-player", { id: me.id })).toEqual({ ok: false, error: "you cannot remove yourself", code: "refused" });
    for (const bad of [undefined, {}, { id: 3 }, { id: "" }, { id: "x".repeat(50) }, "abc"]) {
      const ack = await boss.emitWithAck("remove-player", bad as never);
      expect(ack.ok, JSON.stringify(bad)).toBe(false);
    }
    expect(await ab.client.emitWithAck("readmit-player", { id: ab.id })).toEqual({
      ok: false,
      error: "only the board's host can do that",
      code: "refused",
    });
    expect(ab.client.connected && boss.connected).toBe(true);
  });
});

describe("undo-circle by the host", () => {
  it("removes anyone's circle for the host, and still only one's own for others", async () => {
    await start();
    const boss = await host("tidy");
    const ab = await player("tidy");
    const cd = await player("tidy");
    const circle = await draw(ab);
    expect(await cd.emitWithAck("undo-circle", { id: circle.id })).toEqual({ ok: false, error: "that circle is not yours to undo", code: "refused" });
    expect(await boss.emitWithAck("undo-circle", { id: circle.id })).toEqual({ ok: true, seq: 2, id: circle.id });
    expect(await server!.storedCircles("tidy")).toEqual([]);
    expect(await boss.emitWithAck("undo-circle", { id: circle.id })).toEqual({ ok: false, error: "no such circle on this board", code: "refused" });
  });
});

describe("delete-board", () => {
  it("sends every socket of the board away and forgets the board, so its name is free again", async () => {
    await start();
    const boss = await host("doomed");
    const other = await player("doomed");
    const lesson = await server!.client({ board: "doomed" });
    await draw(other);
    await other.emitWithAck("message", { text: "bye" });
    await other.emitWithAck("clear-circles");
    await draw(other);
    await boss.emitWithAck("set-rules", { chat: "host" });

    const told = [nextEvent(other, "board-deleted"), nextEvent(lesson, "board-deleted")];
    const gone = [disconnected(boss), disconnected(other), disconnected(lesson)];
    expect(await boss.emitWithAck("delete-board")).toEqual({ ok: true });
    expect(await Promise.all(told)).toEqual([
      [{ board: "doomed", reason: "the host deleted this board" }],
      [{ board: "doomed", reason: "the host deleted this board" }],
    ]);
    await Promise.all(gone);

    expect(await restGet("doomed")).toMatchObject({ seq: 0, circles: [] });
    const stored = await server!.store.load("doomed");
    expect(stored).toMatchObject({ seq: 0, circles: [], rules: { draw: "everyone", chat: "everyone" }, removed: [] });
    expect(stored.host).toBeUndefined();
    const newcomer = await player("doomed");
    expect(on(newcomer, "chat-history")).toEqual([[]]);
    expect(lastRules(newcomer)).toMatchObject({ hosted: false });
    // Claimable again, as a new board.
    await host("doomed");
  });

  it("refuses anyone but the host", async () => {
    await start();
    await host("kept-board");
    const other = await player("kept-board");
    await draw(other);
    expect(await other.emitWithAck("delete-board")).toEqual({ ok: false, error: "only the board's host can do that", code: "refused" });
    expect((await restGet("kept-board")).circles).toHaveLength(1);
  });
});

describe("claim-board", () => {
  it("takes a host key in its payload, which becomes the socket's, on a board never used; refuses it on a used one", async () => {
    await start();
    const someone = await player("period3");
    const ack = await someone.emitWithAck("claim-board", { hostKey: newKey() });
    expect(ack).toEqual({ ok: true, rules: { draw: "everyone", chat: "everyone", clear: "everyone", hosted: true, host: true } });
    expect(await someone.emitWithAck("set-rules", { draw: "host" })).toMatchObject({ ok: true });

    const other = await player("used-board");
    await draw(other);
    expect(await other.emitWithAck("claim-board", { hostKey: newKey() })).toEqual({
      ok: false,
      error: "only a new board can be claimed: this one has been used",
      code: "refused",
    });
    expect(await other.emitWithAck("claim-board", { hostKey: "short" } as never)).toMatchObject({ ok: false });
  });
});

describe("ADMIN_KEY", () => {
  it("gives whoever connects with it the host's powers on every board, the default one and hosted ones included", async () => {
    await start();
    const admin = await server!.client({ protocol: 2, auth: { adminKey: ADMIN_KEY } });
    expect(lastRules(admin)).toMatchObject({ host: true, hosted: false });
    const other = await server!.client({ protocol: 2, auth: { playerKey: newKey() } });
    expect(await admin.emitWithAck("set-rules", { draw: "host" })).toMatchObject({ ok: true });
    expect(await other.emitWithAck("add-circle", input)).toMatchObject({ ok: false });
    expect(await admin.emitWithAck("add-circle", input)).toMatchObject({ ok: true });
    expect(await admin.emitWithAck("lock-board", true)).toEqual({
      ok: false,
      error: "this board has no host, so its Clear has no lock: pause drawing instead",
      code: "refused",
    });

    await host("someone-elses");
    const visiting = await server!.client({ board: "someone-elses", protocol: 2, auth: { adminKey: ADMIN_KEY } });
    expect(lastRules(visiting)).toMatchObject({ host: true, hosted: true });
    expect(await visiting.emitWithAck("lock-board", true)).toEqual({ ok: true, locked: true });
    expect(await visiting.emitWithAck("clear-circles")).toMatchObject({ ok: true });
    expect(await visiting.emitWithAck("delete-board")).toEqual({ ok: true });
  });

  it("gives nothing to a wrong key, and nothing at all when the operator set none", async () => {
    await start();
    const wrong = await server!.client({ protocol: 2, auth: { adminKey: `${ADMIN_KEY}x` } });
    expect(lastRules(wrong)).toMatchObject({ host: false });
    expect(await wrong.emitWithAck("set-rules", { draw: "host" })).toEqual({
      ok: false,
      error: "only the board's host can do that",
      code: "refused",
    });
    await server!.close();
    await start({ adminKey: undefined });
    const guess = await server!.client({ protocol: 2, auth: { adminKey: ADMIN_KEY } });
    expect(lastRules(guess)).toMatchObject({ host: false });
  });
});

describe("BOARD_RETENTION_DAYS", () => {
  it("deletes a board unused for the retention, and keeps one that someone is on", { timeout: 30_000 }, async () => {
    // 0.0001 days is 8.64 s, swept every 0.864 s.
    await start({ retentionDays: 0.0001 });
    const writer = await player("forgotten");
    await draw(writer);
    writer.disconnect();
    const stayer = await player("watched");
    await draw(stayer);
    const started = Date.now();
    await vi.waitFor(async () => expect((await restGet("forgotten")).seq).toBe(0), { timeout: 15_000, interval: 250 });
    const took = Date.now() - started;
    // Gone no sooner than the retention, and within a tenth of it after (plus a slow machine's slack).
    expect(took).toBeGreaterThanOrEqual(8_000);
    expect(took).toBeLessThan(12_000);
    expect((await restGet("watched")).circles).toHaveLength(1);
    expect(stayer.connected).toBe(true);
  });
});

describe("chat announcements", () => {
  it("announces watchers as well as players, coalesced", async () => {
    await start();
    const first = await player("hello");
    await player("hello");
    await player("hello");
    await vi.waitFor(() => expect(on(first, "message").map((m) => (m as { text: string }).text)).toContain("2 watchers joined"), { timeout: 3000 });
    const ab = await registered("hello", "AB");
    await vi.waitFor(() => expect(on(first, "message").map((m) => (m as { text: string }).text)).toContain("AB joined"), { timeout: 3000 });
    ab.client.disconnect();
    await vi.waitFor(() => expect(on(first, "message").map((m) => (m as { text: string }).text)).toContain("AB left"), { timeout: 3000 });
  });
});
