/**
 * Undo and hosts across two real server processes (the compiled build) on
 * the machine's PostgreSQL (a database of the test's own) and Redis (a key
 * prefix of its own): a player's circles are theirs on either node, a clear
 * made on one is announced and undone on the other, and a lock set on one
 * holds on the other.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import type { Ack, BoardEvent, Circle, CircleInput } from "../lib/protocol/events.js";
import type { ServerProcess } from "./support/server-process.js";
import { startSharedNodes } from "./support/shared-nodes.js";
import type { TestClient } from "./support/test-server.js";

const input: CircleInput = { initials: "AB", x: 10, y: 20, dia: 30, rgba: "rgba(1, 2, 3, 0.5)" };
const newKey = () => randomBytes(32).toString("base64url");

const { nodes, client } = startSharedNodes(2);

const on = (socket: TestClient, event: string) => socket.received.filter((e) => e.event === event).map((e) => e.args[0]);
const eventsOf = (socket: TestClient) => (on(socket, "board-events") as { events: BoardEvent[] }[]).flatMap((batch) => batch.events);

describe("undo and hosts on two nodes", () => {
  it("undoes on node B a circle drawn on node A with the same player key, for both nodes' clients", async () => {
    const [a, b] = nodes as [ServerProcess, ServerProcess];
    const playerKey = newKey();
    const onA = await client(a, { board: "undo-nodes", protocol: 2, auth: { playerKey } });
    const lessonOnA = await client(a, { board: "undo-nodes" });
    const onB = await client(b, { board: "undo-nodes", protocol: 2, auth: { playerKey } });
    const someoneOnB = await client(b, { board: "undo-nodes", protocol: 2, auth: { playerKey: newKey() } });

    const ack = (await onA.emitWithAck("add-circle", input)) as Ack<{ circle: Circle; seq: number }>;
    const circle = ack.ok ? ack.circle : undefined;
    await vi.waitFor(() => expect(eventsOf(onB)).toEqual([{ seq: 1, type: "add", circle }]));
    expect(await someoneOnB.emitWithAck("undo-circle", {})).toEqual({ ok: false, error: "nothing of yours to undo", code: "refused" });

    expect(await onB.emitWithAck("undo-circle", {})).toEqual({ ok: true, seq: 2, id: circle?.id });
    await vi.waitFor(() => expect(on(lessonOnA, "remove-circle")).toEqual([{ id: circle?.id }]));
    await vi.waitFor(() => expect(eventsOf(onA).at(-1)).toEqual({ seq: 2, type: "remove", id: circle?.id }));
  });

  it("announces on node B a clear made on node A, and undoes it there for everyone", async () => {
    const [a, b] = nodes as [ServerProcess, ServerProcess];
    const clearer = await client(a, { board: "clear-nodes", protocol: 2, auth: { playerKey: newKey() } });
    expect(await clearer.emitWithAck("register-player", "CL")).toMatchObject({ ok: true });
    const lessonOnA = await client(a, { board: "clear-nodes" });
    const onB = await client(b, { board: "clear-nodes", protocol: 2 });
    for (let x = 0; x < 3; x++) await clearer.emitWithAck("add-circle", { ...input, x });

    expect(await clearer.emitWithAck("clear-circles")).toEqual({ ok: true, seq: 4 });
    await vi.waitFor(() => expect(on(onB, "board-cleared")).toEqual([{ seq: 4, by: "CL", undoMs: 10_000 }]));
    expect(await onB.emitWithAck("undo-clear", 4)).toEqual({ ok: true, seq: 7 });
    await vi.waitFor(() => expect(on(lessonOnA, "add-circle").map((c) => (c as Circle).x)).toEqual([0, 1, 2, 0, 1, 2]));
  });

  it("holds a lock set on node A for node B's clients, who are told of it, and lets the host's other tab on B unlock", async () => {
    const [a, b] = nodes as [ServerProcess, ServerProcess];
    const hostKey = newKey();
    // B holds the board live from before the claim: it hears of the claim, as it hears of the lock.
    const pupil = await client(b, { board: "lock-nodes", protocol: 2, auth: { playerKey: newKey() } });
    const lessonOnB = await client(b, { board: "lock-nodes" });
    const teacher = await client(a, { board: "lock-nodes", protocol: 2, auth: { playerKey: newKey(), hostKey } });
    expect(await teacher.emitWithAck("claim-board")).toMatchObject({ ok: true });
    await pupil.emitWithAck("add-circle", input);

    expect(await teacher.emitWithAck("lock-board", true)).toEqual({ ok: true, locked: true });
    await vi.waitFor(() => expect(on(pupil, "board-lock").at(-1)).toEqual({ locked: true }));
    const locked = { ok: false, error: "locked by the host: only the host can clear this board", code: "refused" };
    expect(await pupil.emitWithAck("clear-circles")).toEqual(locked);
    expect(await lessonOnB.emitWithAck("clear-display")).toEqual(locked);

    const otherTab = await client(b, { board: "lock-nodes", protocol: 2, auth: { playerKey: newKey(), hostKey } });
    expect(on(otherTab, "board-lock")).toEqual([{ locked: true, host: true }]);
    expect(await otherTab.emitWithAck("lock-board", false)).toEqual({ ok: true, locked: false });
    await vi.waitFor(() => expect(on(teacher, "board-lock").at(-1)).toEqual({ locked: false }));
    expect(await pupil.emitWithAck("clear-circles")).toMatchObject({ ok: true });
  });
});
