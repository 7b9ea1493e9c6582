/**
 * The host runs the room across two real server processes (the compiled
 * build) on the machine's PostgreSQL and Redis: rules set on one node hold
 * on the other, a player removed on one is sent away and kept out on the
 * other, and a board deleted on one is gone for the other's sockets.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import type { Ack, BoardEvent, BoardRules, Circle, CircleInput } from "../lib/protocol/events.js";
import type { ServerProcess } from "./support/server-process.js";
import { startSharedNodes } from "./support/shared-nodes.js";
import { connectOutcome, type TestClient } from "./support/test-server.js";

const input: CircleInput = { initials: "AB", x: 10, y: 20, dia: 30, rgba: "rgba(1, 2, 3, 0.5)" };
const newKey = () => randomBytes(32).toString("base64url");

const { nodes, client } = startSharedNodes(2);

const on = (socket: TestClient, event: string) => socket.received.filter((e) => e.event === event).map((e) => e.args[0]);
const eventsOf = (socket: TestClient) => (on(socket, "board-events") as { events: BoardEvent[] }[]).flatMap((batch) => batch.events);

/** The host of a new board on `node`, and the host key it claimed it with. */
async function hostOn(node: ServerProcess, board: string): Promise<TestClient & { hostKey: string }> {
  const hostKey = newKey();
  const host = await client(node, { board, protocol: 2, auth: { playerKey: newKey(), hostKey } });
  expect(await host.emitWithAck("claim-board")).toMatchObject({ ok: true });
  return Object.assign(host, { hostKey });
}

async function draw(socket: TestClient, x: number): Promise<Circle> {
  const ack = (await socket.emitWithAck("add-circle", { ...input, x })) as Ack<{ circle: Circle }>;
  if (!ack.ok) throw new Error(ack.error);
  return ack.circle;
}

describe("the host's room on two nodes", () => {
  it("holds rules set on node A for node B's clients, who are told of them", async () => {
    const [a, b] = nodes as [ServerProcess, ServerProcess];
    const pupil = await client(b, { board: "rules-nodes", protocol: 2, auth: { playerKey: newKey() } });
    const teacher = await hostOn(a, "rules-nodes");
    expect(await teacher.emitWithAck("set-rules", { draw: "host", chat: "host" })).toMatchObject({ ok: true, rules: { draw: "host", chat: "host" } });
    await vi.waitFor(() => expect(on(pupil, "board-rules").at(-1)).toEqual({ draw: "host", chat: "host", clear: "everyone", hosted: true }));
    expect(await pupil.emitWithAck("add-circle", input)).toEqual({
      ok: false,
      error: "the host paused drawing: only the host can draw now",
      code: "refused",
    });
    expect(await pupil.emitWithAck("message", { text: "hi" })).toEqual({
      ok: false,
      error: "the host paused chat: only the host can chat now",
      code: "refused",
    });
    // A newcomer on B is told the rules on joining.
    const late = await client(b, { board: "rules-nodes", protocol: 2 });
    expect(on(late, "board-rules").at(-1)).toMatchObject({ draw: "host", chat: "host", host: false });

    expect(await teacher.emitWithAck("set-rules", { draw: "everyone" })).toMatchObject({ ok: true });
    await vi.waitFor(() => expect((on(pupil, "board-rules").at(-1) as BoardRules).draw).toBe("everyone"));
    await draw(pupil, 1);
  });

  it("sends away on node B a player removed on node A, removes their circles there, and keeps them out of both", async () => {
    const [a, b] = nodes as [ServerProcess, ServerProcess];
    const playerKey = newKey();
    const vandalOnB = await client(b, { board: "kick-nodes", protocol: 2, auth: { playerKey } });
    const registered = await vandalOnB.emitWithAck("register-player", "VV");
    if (!registered.ok) throw new Error(registered.error);
    const lessonOnB = await client(b, { board: "kick-nodes" });
    const teacher = await hostOn(a, "kick-nodes");
    const drawn = [await draw(vandalOnB, 1), await draw(vandalOnB, 2)];
    // A's view of who is here comes through Redis: wait until it lists the player.
    await vi.waitFor(() => expect(on(teacher, "board-people").at(-1)).toMatchObject({ players: [{ id: registered.id, initials: "VV" }] }), {
      timeout: 10_000,
    });

    const removed = new Promise((resolve) => vandalOnB.once("player-removed", resolve));
    expect(await teacher.emitWithAck("remove-player", { id: registered.id })).toEqual({ ok: true, removed: 2 });
    expect(await removed).toEqual({ reason: "the host removed you from this board" });
    // Disconnected within LEAVE_GRACE_MS, if it did not leave by itself.
    await vi.waitFor(() => expect(vandalOnB.connected).toBe(false), { timeout: 5_000 });
    await vi.waitFor(() => expect(on(lessonOnB, "remove-circle")).toEqual(drawn.map((circle) => ({ id: circle.id }))));
    await vi.waitFor(() =>
      expect(
        eventsOf(teacher)
          .filter((e) => e.type === "remove")
          .map((e) => (e as { id: string }).id),
      ).toEqual(drawn.map((c) => c.id)),
    );

    for (const node of [a, b]) expect(await connectOutcome(node.url, "kick-nodes", { playerKey })).toBe("the host removed you from this board");
    // The host's other tab, on B, lists the removed player and lets them back.
    const otherTab = await client(b, { board: "kick-nodes", protocol: 2, auth: { hostKey: teacher.hostKey } });
    expect(on(otherTab, "removed-players").at(-1)).toEqual([{ id: registered.id, initials: "VV" }]);
    expect(await otherTab.emitWithAck("readmit-player", { id: registered.id })).toEqual({ ok: true });
    await vi.waitFor(() => expect(on(teacher, "removed-players").at(-1)).toEqual([]));
    await vi.waitFor(async () => expect(await connectOutcome(a.url, "kick-nodes", { playerKey })).toBe("connected"));
  });

  it("sends away node B's sockets of a board deleted on node A, and node B then serves it empty", async () => {
    const [a, b] = nodes as [ServerProcess, ServerProcess];
    const onB = await client(b, { board: "delete-nodes", protocol: 2, auth: { playerKey: newKey() } });
    const lessonOnB = await client(b, { board: "delete-nodes" });
    const teacher = await hostOn(a, "delete-nodes");
    await draw(onB, 1);
    await onB.emitWithAck("message", { text: "remember me" });

    const deleted = [
      new Promise((resolve) => onB.once("board-deleted", resolve)),
      new Promise((resolve) => lessonOnB.once("board-deleted", resolve)),
    ];
    expect(await teacher.emitWithAck("delete-board")).toEqual({ ok: true });
    expect(await Promise.all(deleted)).toEqual([
      { board: "delete-nodes", reason: "the host deleted this board" },
      { board: "delete-nodes", reason: "the host deleted this board" },
    ]);
    await vi.waitFor(() => expect(onB.connected || lessonOnB.connected).toBe(false), { timeout: 5_000 });

    const response = await fetch(`${b.url}/api/boards/delete-nodes`);
    expect(await response.json()).toMatchObject({ seq: 0, circles: [] });
    const newcomer = await client(b, { board: "delete-nodes", protocol: 2 });
    expect(on(newcomer, "board-snapshot")).toEqual([{ board: "delete-nodes", seq: 0, circles: [] }]);
    await vi.waitFor(() => expect(on(newcomer, "chat-history")).toEqual([[]]));
  });
});
