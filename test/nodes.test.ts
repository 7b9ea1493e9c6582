/**
 * Two real server processes (the compiled build) sharing the machine's real
 * PostgreSQL (a database of the test's own) and Redis (under a key prefix of
 * the test's own, removed afterwards): what one node stores reaches the
 * sockets of the other, in seq order, for both protocols.
 */
import { describe, expect, it, vi } from "vitest";
import type { Ack, BoardEvent, Circle, CircleInput } from "../lib/protocol/events.js";
import { PostgresStore } from "../lib/store/postgres-store.js";
import { startNodes, startServerProcess, type ServerProcess } from "./support/server-process.js";
import { startSharedNodes } from "./support/shared-nodes.js";
import type { TestClient } from "./support/test-server.js";

const circle: CircleInput = { initials: "AB", x: 10, y: 20, dia: 30, rgba: "rgba(1, 2, 3, 0.5)" };

const shared = startSharedNodes(2);
const { nodes, client } = shared;

const lessonEvents = (socket: TestClient) => socket.received.filter((e) => ["add-circle", "clear-circles"].includes(e.event));
const batchedSeqs = (socket: TestClient) =>
  socket.received.flatMap((e) => (e.event === "board-events" ? (e.args[0] as { events: BoardEvent[] }).events.map((event) => event.seq) : []));

describe("two nodes on one PostgreSQL and one Redis", () => {
  it("relays a circle stored on one node to the lesson and protocol-2 clients of the other, and a clear back", async () => {
    const [a, b] = nodes as [ServerProcess, ServerProcess];
    const onA = await client(a, { board: "shared" });
    const lessonOnB = await client(b, { board: "shared" });
    const batchedOnB = await client(b, { board: "shared", protocol: 2 });

    const ack = (await onA.emitWithAck("add-circle", circle)) as Ack<{ circle: Circle; seq: number }>;
    expect(ack).toMatchObject({ ok: true, seq: 1 });
    const stored = ack.ok ? ack.circle : undefined;
    await vi.waitFor(() => expect(lessonEvents(lessonOnB)).toEqual([{ event: "add-circle", args: [stored] }]));
    await vi.waitFor(() => expect(batchedSeqs(batchedOnB)).toEqual([1]));

    expect(await lessonOnB.emitWithAck("clear-circles")).toEqual({ ok: true, seq: 2 });
    await vi.waitFor(() => expect(lessonEvents(onA).map((e) => e.event)).toEqual(["add-circle", "clear-circles"]));
    await vi.waitFor(() => expect(batchedSeqs(batchedOnB)).toEqual([1, 2]));
  });

  it("gives a late joiner on the other node everything stored on the first, from the board it holds live", async () => {
    const [a, b] = nodes as [ServerProcess, ServerProcess];
    const watcherOnB = await client(b, { board: "late", protocol: 2 });
    const writer = await client(a, { board: "late" });
    for (let i = 0; i < 5; i++) await writer.emitWithAck("add-circle", { ...circle, x: i });
    await vi.waitFor(() => expect(batchedSeqs(watcherOnB)).toEqual([1, 2, 3, 4, 5]));

    const late = await client(b, { board: "late" });
    const snapshot = late.received.find((e) => e.event === "board-snapshot")?.args[0] as { seq: number; circles: Circle[] };
    expect(snapshot.seq).toBe(5);
    expect(snapshot.circles.map((c) => c.x)).toEqual([0, 1, 2, 3, 4]);
  });

  it("keeps one order on both nodes while both write at once", async () => {
    const [a, b] = nodes as [ServerProcess, ServerProcess];
    const watchers = [
      await client(a, { board: "race" }),
      await client(b, { board: "race" }),
      await client(a, { board: "race", protocol: 2 }),
      await client(b, { board: "race", protocol: 2 }),
    ];
    const writers = [await client(a, { board: "race" }), await client(b, { board: "race" })];
    const perWriter = 40;
    await Promise.all(
      writers.map((writer, w) =>
        Promise.all(Array.from({ length: perWriter }, (_, i) => writer.emitWithAck("add-circle", { ...circle, x: w * 100 + i }))),
      ),
    );
    const total = writers.length * perWriter;
    const upTo = Array.from({ length: total }, (_, i) => i + 1);
    for (const batched of watchers.slice(2)) await vi.waitFor(() => expect(batchedSeqs(batched)).toEqual(upTo));
    const [first, second] = watchers as [TestClient, TestClient];
    await vi.waitFor(() => expect(lessonEvents(first)).toHaveLength(total));
    await vi.waitFor(() => expect(lessonEvents(second)).toHaveLength(total));
    // Both nodes relayed the same circles in the same (seq) order.
    expect(lessonEvents(second)).toEqual(lessonEvents(first));
  });

  it("catches both nodes up when a change reached the store but its announcement never came, and they stay live", async () => {
    const [a, b] = nodes as [ServerProcess, ServerProcess];
    const lessonOnA = await client(a, { board: "gap" });
    const batchedOnB = await client(b, { board: "gap", protocol: 2 });
    // A writer that stores without announcing: an announcement lost with Redis.
    const silent = await PostgresStore.open({ databaseUrl: shared.databaseUrl });
    try {
      await silent.add("gap", { ...circle, id: "silent", createdAt: Date.now() }, 5000);
    } finally {
      await silent.close();
    }
    const ack = (await lessonOnA.emitWithAck("add-circle", circle)) as Ack<{ circle: Circle; seq: number }>;
    expect(ack).toMatchObject({ ok: true, seq: 2 });

    // Within GAP_WAIT_MS and a store read: B's protocol-2 client gets the whole board, A's lesson client a clear and every circle.
    await vi.waitFor(() => {
      const snapshots = batchedOnB.received.filter((e) => e.event === "board-snapshot").map((e) => e.args[0] as { seq: number; circles: Circle[] });
      expect(snapshots.at(-1)).toMatchObject({ seq: 2, circles: [{ id: "silent" }, { x: circle.x }] });
    }, 5_000);
    await vi.waitFor(
      () =>
        expect(
          lessonEvents(lessonOnA)
            .slice(-3)
            .map((e) => e.event),
        ).toEqual(["clear-circles", "add-circle", "add-circle"]),
      5_000,
    );

    expect(await lessonOnA.emitWithAck("add-circle", circle)).toMatchObject({ ok: true, seq: 3 });
    await vi.waitFor(() => expect(batchedSeqs(batchedOnB).at(-1)).toBe(3));
  });

  it("lists every node's players alike on every node, and drops a killed node's players within 15 s", async () => {
    const [a, b] = nodes as [ServerProcess, ServerProcess];
    const c = await startServerProcess({ env: shared.env });
    nodes.push(c);
    const players = [await client(a, { board: "roll" }), await client(b, { board: "roll" }), await client(c, { board: "roll" })];
    for (const [i, initials] of ["AA", "BB", "CC"].entries()) await players[i]?.emitWithAck("register-player", initials);
    const lastList = (socket: TestClient) => socket.received.filter((e) => e.event === "update-player-list").at(-1)?.args[0] as string[];
    for (const socket of players) await vi.waitFor(() => expect([...lastList(socket)].sort()).toEqual(["AA", "BB", "CC"]), 10_000);
    const [onA, onB] = players as [TestClient, TestClient];
    expect(players.map(lastList)).toEqual([lastList(onA), lastList(onA), lastList(onA)]);

    await c.stop("SIGKILL");
    const killed = Date.now();
    for (const socket of [onA, onB]) await vi.waitFor(() => expect([...lastList(socket)].sort()).toEqual(["AA", "BB"]), 16_000);
    expect(Date.now() - killed).toBeLessThan(15_000);
    expect(lastList(onB)).toEqual(lastList(onA));
  }, 40_000);

  it("takes a stopped node's players off the other nodes' lists at once, not after the timeout", async () => {
    const [a] = nodes as [ServerProcess];
    const [d] = await startNodes(1, shared.env);
    nodes.push(d as ServerProcess);
    const watcher = await client(a, { board: "farewell" });
    const leaving = await client(d as ServerProcess, { board: "farewell" });
    await leaving.emitWithAck("register-player", "DD");
    const lastList = () => watcher.received.filter((e) => e.event === "update-player-list").at(-1)?.args[0];
    await vi.waitFor(() => expect(lastList()).toEqual(["DD"]), 10_000);

    const stopped = Date.now();
    expect(await d?.stop("SIGTERM")).toBe(0);
    await vi.waitFor(() => expect(lastList()).toEqual([]), 5_000);
    // Well before a killed node's players go (about 10 s).
    expect(Date.now() - stopped).toBeLessThan(5_000);
  }, 30_000);

  it("carries chat, who is here and pointers between the nodes' sockets of a board", async () => {
    const [a, b] = nodes as [ServerProcess, ServerProcess];
    const onA = await client(a, { board: "lounge", protocol: 2 });
    const watcherOnB = await client(b, { board: "lounge", protocol: 2 });
    const lessonOnB = await client(b, { board: "lounge" });
    const registered = await onA.emitWithAck("register-player", "AA");
    if (!registered.ok) throw new Error(registered.error);
    const lastPeople = (socket: TestClient) => socket.received.filter((e) => e.event === "board-people").at(-1)?.args[0];
    const expected = { here: 3, players: [{ id: registered.id, initials: "AA", colour: registered.colour }] };
    await vi.waitFor(() => expect([lastPeople(onA), lastPeople(watcherOnB)]).toEqual([expected, expected]), 5_000);

    expect(await onA.emitWithAck("message", { text: "hello from A" })).toEqual({ ok: true });
    const said = (socket: TestClient) =>
      socket.received.filter((e) => e.event === "message").map((e) => (e.args[0] as { user: string; text: string }).text);
    await vi.waitFor(() => expect(said(lessonOnB)).toContain("hello from A"), 5_000);
    await vi.waitFor(() => expect(said(lessonOnB)).toContain("AA joined"), 5_000);
    // A newcomer on B gets the history kept in Redis.
    const late = await client(b, { board: "lounge", protocol: 2 });
    await vi.waitFor(
      () =>
        expect(late.received.find((e) => e.event === "chat-history")?.args[0]).toEqual([
          expect.objectContaining({ user: "AA", text: "hello from A" }),
        ]),
      5_000,
    );

    onA.emit("cursor", { x: 960, y: 540 });
    await vi.waitFor(
      () =>
        expect(watcherOnB.received.filter((e) => e.event === "cursors").flatMap((e) => (e.args[0] as { cursors: unknown[] }).cursors)).toContainEqual(
          { id: registered.id, x: 960, y: 540 },
        ),
      5_000,
    );
  }, 30_000);
});
