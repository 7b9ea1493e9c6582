/**
 * Every write a client names is stored once however often it is sent, over
 * real sockets and the REST API on a real server (SQLite): a circle by the
 * id its client made, every other write by its `op`, REST by its body's id
 * or its Idempotency-Key. A retry is answered as the first write was and
 * relays nothing; the same name for a different write is a conflict; a
 * malformed name is refused; the lesson's clients, which name nothing, are
 * served as before. Refusals carry a code saying whether to try again.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { BoardEvents, Circle, CircleInput } from "../lib/protocol/events.js";
import { startTestServer, type ClientOptions, type TestClient, type TestServer } from "./support/test-server.js";

const input: CircleInput = { initials: "AB", x: 100, y: 200, dia: 50, rgba: "rgba(10, 20, 30, 0.5)" };
const newKey = () => randomBytes(32).toString("base64url");
const CONFLICT = { ok: false, error: "that id was already used on this board for a different write: make a new one", code: "conflict" };

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
async function start(): Promise<TestServer> {
  server = await startTestServer({ config: { retentionDays: 0 } });
  return server;
}

const on = (client: TestClient, event: string) => client.received.filter((e) => e.event === event).map((e) => e.args[0]);
const eventsOf = (client: TestClient) => (on(client, "board-events") as BoardEvents[]).flatMap((batch) => batch.events);
const player = (board: string, options: ClientOptions = {}) =>
  server!.client({ board, protocol: 2, ...options, auth: { playerKey: newKey(), ...options.auth } });
/** Lets whatever was relayed arrive: a tick is 33 ms. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

describe("add-circle with the client's id", () => {
  it("stores and relays a circle once however often, and from whichever socket, its id is sent, answering each with the first write", async () => {
    await start();
    const [a, b, watcher, lesson] = [await player("once"), await player("once"), await player("once"), await server!.client({ board: "once" })];
    const id = randomUUID();
    const first = await a.emitWithAck("add-circle", { ...input, id });
    expect(first).toEqual({ ok: true, circle: { ...input, id, createdAt: expect.any(Number) }, seq: 1 });
    expect(await a.emitWithAck("add-circle", { ...input, id })).toEqual(first);
    expect(await b.emitWithAck("add-circle", { ...input, id })).toEqual(first);
    await settle();
    expect(eventsOf(watcher).map((event) => event.seq)).toEqual([1]);
    expect(on(lesson, "add-circle")).toHaveLength(1);
    expect((await server!.storedCircles("once")).map((circle) => circle.id)).toEqual([id]);
    // A duplicate takes no seq: the next circle is the second change.
    expect(await a.emitWithAck("add-circle", { ...input, id: randomUUID() })).toMatchObject({ ok: true, seq: 2 });
  });

  it("stores one circle when the same id arrives from two sockets at once", async () => {
    await start();
    const [a, b] = [await player("race"), await player("race")];
    const id = randomUUID();
    const [one, two] = await Promise.all([a.emitWithAck("add-circle", { ...input, id }), b.emitWithAck("add-circle", { ...input, id })]);
    expect(one).toMatchObject({ ok: true, seq: 1 });
    expect(two).toEqual(one);
    expect(await server!.storedCircles("race")).toHaveLength(1);
  });

  it("refuses the same id with a different circle as a conflict, storing nothing", async () => {
    await start();
    const a = await player("conflict");
    const id = randomUUID();
    await a.emitWithAck("add-circle", { ...input, id });
    expect(await a.emitWithAck("add-circle", { ...input, x: 5, id })).toEqual(CONFLICT);
    expect(await server!.storedCircles("conflict")).toHaveLength(1);
  });

  it("answers a retry of a circle since cleared with its first answer, and does not bring it back", async () => {
    await start();
    const a = await player("cleared");
    const id = randomUUID();
    const first = await a.emitWithAck("add-circle", { ...input, id });
    expect(await a.emitWithAck("clear-circles")).toMatchObject({ ok: true, seq: 2 });
    expect(await a.emitWithAck("add-circle", { ...input, id })).toEqual(first);
    expect(await server!.storedCircles("cleared")).toEqual([]);
  });

  it("refuses a malformed id, saying what an id is, and makes one for the lesson's clients, which send none", async () => {
    await start();
    const lesson = await server!.client({ board: "ids" });
    expect(await lesson.emitWithAck("add-circle", { ...input, id: "short" } as never)).toEqual({
      ok: false,
      error: "id must be 8–64 letters, digits, '-' or '_' (a UUID fits)",
      code: "invalid",
    });
    const made = await lesson.emitWithAck("add-circle", input);
    expect(made).toMatchObject({ ok: true, seq: 1, circle: { id: expect.stringMatching(/^[0-9a-f-]{36}$/) } });
  });

  it("says a refusal of drawing is the board's (refused), and a spent allowance is for later (rate-limited)", async () => {
    server = await startTestServer({ config: { rateLimit: { perSecond: 1, burst: 1 } } });
    const a = await player("codes");
    expect(await a.emitWithAck("add-circle", { ...input, id: randomUUID() })).toMatchObject({ ok: true });
    expect(await a.emitWithAck("add-circle", { ...input, id: randomUUID() })).toEqual({ ok: false, error: "rate limited", code: "rate-limited" });
  });
});

describe("other writes with an op", () => {
  it("clears once: a retry after someone drew keeps what they drew, and relays nothing", async () => {
    await start();
    const [a, b] = [await player("clear-once"), await player("clear-once")];
    await a.emitWithAck("add-circle", input);
    const op = randomUUID();
    const cleared = await a.emitWithAck("clear-circles", { op });
    expect(cleared).toEqual({ ok: true, seq: 2 });
    const later = await b.emitWithAck("add-circle", { ...input, id: randomUUID() });
    if (!later.ok) throw new Error(later.error);
    expect(await a.emitWithAck("clear-display", { op })).toEqual(cleared);
    await settle();
    expect(eventsOf(b).filter((event) => event.type === "clear")).toHaveLength(1);
    expect((await server!.storedCircles("clear-once")).map((circle) => circle.id)).toEqual([later.circle.id]);
    // The lesson's clear, with nothing at all, clears as it always did.
    expect(await a.emitWithAck("clear-circles")).toEqual({ ok: true, seq: 4 });
  });

  it("undoes once: a retry of an undo of the newest does not take the one before", async () => {
    await start();
    const a = await player("undo-once");
    const older = await a.emitWithAck("add-circle", { ...input, id: randomUUID() });
    const newer = await a.emitWithAck("add-circle", { ...input, id: randomUUID() });
    if (!older.ok || !newer.ok) throw new Error("not drawn");
    const op = randomUUID();
    const undone = await a.emitWithAck("undo-circle", { op });
    expect(undone).toEqual({ ok: true, seq: 3, id: newer.circle.id });
    expect(await a.emitWithAck("undo-circle", { op })).toEqual(undone);
    expect((await server!.storedCircles("undo-once")).map((circle) => circle.id)).toEqual([older.circle.id]);
  });

  it("undoes a clear once, bare seq or {seq, op}", async () => {
    await start();
    const a = await player("undo-clear-once");
    await a.emitWithAck("add-circle", input);
    const clear = await a.emitWithAck("clear-circles", { op: randomUUID() });
    if (!clear.ok) throw new Error(clear.error);
    const op = randomUUID();
    const back = await a.emitWithAck("undo-clear", { seq: clear.seq, op });
    expect(back).toEqual({ ok: true, seq: 3 });
    expect(await a.emitWithAck("undo-clear", { seq: clear.seq, op })).toEqual(back);
    expect(await a.emitWithAck("undo-clear", clear.seq)).toEqual({ ok: false, error: "that clear can no longer be undone", code: "refused" });
    expect(await server!.storedCircles("undo-clear-once")).toHaveLength(1);
  });

  it("tells a chat message once, however often its op is sent", async () => {
    await start();
    const [a, b] = [await player("chat-once"), await player("chat-once")];
    const op = randomUUID();
    expect(await a.emitWithAck("message", { user: "Ann", text: "hello", op })).toEqual({ ok: true });
    expect(await a.emitWithAck("message", { user: "Ann", text: "hello", op })).toEqual({ ok: true });
    await settle();
    expect(on(b, "message").filter((message) => (message as { text: string }).text === "hello")).toHaveLength(1);
    const late = await player("chat-once");
    expect((on(late, "chat-history")[0] as { text: string }[]).filter((message) => message.text === "hello")).toHaveLength(1);
  });

  it("answers the host's retries as the first: rules, a removal, a deletion", async () => {
    await start();
    const hostKey = newKey();
    const boss = await player("host-once", { auth: { hostKey } });
    expect(await boss.emitWithAck("claim-board", { op: randomUUID() })).toMatchObject({ ok: true });
    const rulesOp = randomUUID();
    const paused = await boss.emitWithAck("set-rules", { draw: "host", op: rulesOp });
    expect(paused).toMatchObject({ ok: true, rules: { draw: "host" } });
    expect(await boss.emitWithAck("set-rules", { draw: "everyone" })).toMatchObject({ ok: true, rules: { draw: "everyone" } });
    // The retry answers as the first did, and pauses nothing again.
    expect(await boss.emitWithAck("set-rules", { draw: "host", op: rulesOp })).toEqual(paused);
    expect(server!.boards.rulesOf("host-once")).toMatchObject({ draw: "everyone" });

    const vandal = await player("host-once");
    const who = await vandal.emitWithAck("register-player", "VV");
    if (!who.ok) throw new Error(who.error);
    await vandal.emitWithAck("add-circle", input);
    const removeOp = randomUUID();
    const removed = await boss.emitWithAck("remove-player", { id: who.id, op: removeOp });
    expect(removed).toEqual({ ok: true, removed: 1 });
    await vi.waitFor(() => expect(vandal.disconnected).toBe(true), 3000);
    // Gone from the board, yet named as removed: the retry is the first answer.
    expect(await boss.emitWithAck("remove-player", { id: who.id, op: removeOp })).toEqual(removed);

    const deleteOp = randomUUID();
    const other = await player("host-twice", { auth: { hostKey: newKey() } });
    expect(await other.emitWithAck("claim-board")).toMatchObject({ ok: true });
    expect(await other.emitWithAck("delete-board", { op: deleteOp })).toEqual({ ok: true });
    const again = await player("host-twice");
    expect(await again.emitWithAck("delete-board", { op: deleteOp })).toEqual({ ok: true });
  });

  it("refuses an op used for a different write as a conflict, and a malformed op as invalid", async () => {
    await start();
    const a = await player("op-conflict");
    const op = randomUUID();
    await a.emitWithAck("add-circle", input);
    expect(await a.emitWithAck("clear-circles", { op })).toMatchObject({ ok: true });
    expect(await a.emitWithAck("undo-circle", { op })).toEqual(CONFLICT);
    expect(await a.emitWithAck("clear-circles", { op: "no" })).toEqual({
      ok: false,
      error: "op must be 8–64 letters, digits, '-' or '_' (a UUID fits)",
      code: "invalid",
    });
    expect(await a.emitWithAck("clear-circles", { op: 5 } as never)).toEqual({
      ok: false,
      error: "op must be 8–64 letters, digits, '-' or '_' (a UUID fits)",
      code: "invalid",
    });
    // Whatever else comes with a clear is ignored, as the lesson's server ignored it.
    expect(await a.emitWithAck("clear-circles", "now" as never)).toMatchObject({ ok: true });
  });
});

describe("the REST API's names", () => {
  const post = (board: string, body: object, headers: Record<string, string> = {}) =>
    fetch(`${server!.url}/api/boards/${board}/circles`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
  const clear = (board: string, headers: Record<string, string> = {}) =>
    fetch(`${server!.url}/api/boards/${board}/circles`, { method: "DELETE", headers });

  it("answers a POST retried with the same Idempotency-Key with the same status and body, storing one circle", async () => {
    await start();
    const key = randomUUID();
    const first = await post("rest-once", input, { "Idempotency-Key": key });
    expect(first.status).toBe(201);
    const body = (await first.json()) as Circle & { seq: number };
    expect(body).toMatchObject({ ...input, id: key, seq: 1 });
    const retry = await post("rest-once", input, { "Idempotency-Key": key });
    expect(retry.status).toBe(201);
    expect(await retry.json()).toEqual(body);
    // The body's id names it the same way.
    const byId = await post("rest-once", { ...input, id: key });
    expect(await byId.json()).toEqual(body);
    expect(await server!.storedCircles("rest-once")).toHaveLength(1);
  });

  it("refuses a key reused for another circle (422), a key and id that differ (400), and a malformed key (400)", async () => {
    await start();
    const key = randomUUID();
    await post("rest-refused", input, { "Idempotency-Key": key });
    const reused = await post("rest-refused", { ...input, x: 1 }, { "Idempotency-Key": key });
    expect(reused.status).toBe(422);
    expect(await reused.json()).toEqual({ error: CONFLICT.error, code: "conflict" });
    const differ = await post("rest-refused", { ...input, id: randomUUID() }, { "Idempotency-Key": randomUUID() });
    expect(differ.status).toBe(400);
    expect(await differ.json()).toEqual({ error: "the body's id and the Idempotency-Key differ: send one, or the same", code: "invalid" });
    const malformed = await clear("rest-refused", { "Idempotency-Key": "x y" });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({ error: "Idempotency-Key must be 8–64 letters, digits, '-' or '_' (a UUID fits)", code: "invalid" });
    expect(await server!.storedCircles("rest-refused")).toHaveLength(1);
  });

  it("clears once for a DELETE retried with its key: what was drawn in between stays", async () => {
    await start();
    await post("rest-clear", input);
    const key = randomUUID();
    expect((await clear("rest-clear", { "Idempotency-Key": key })).status).toBe(204);
    const later = (await (await post("rest-clear", { ...input, id: randomUUID() })).json()) as Circle;
    expect((await clear("rest-clear", { "Idempotency-Key": key })).status).toBe(204);
    expect((await server!.storedCircles("rest-clear")).map((circle) => circle.id)).toEqual([later.id]);
  });
});
