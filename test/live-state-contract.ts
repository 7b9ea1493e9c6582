/**
 * The behaviour every LiveState must show, as one vitest suite that each
 * implementation runs against itself (see `lib/live-state/*.test.ts`):
 * several nodes sharing boards, each with sockets of its own.
 */
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { PlayerDetails } from "../lib/protocol/events.js";
import type { LiveState } from "../lib/live-state/live-state.js";

export interface LiveStateFixture {
  /** Starts another node sharing the others' boards. */
  node(): Promise<LiveState>;
  /** Closes every node and removes what they left. */
  cleanup(): Promise<void>;
}

/** How long a change may take to reach another node: Redis is read once per tick. */
const SEEN_WITHIN = { timeout: 3_000, interval: 10 };

/** A socket of `node` joins `board` and registers. */
function play(node: LiveState, socket: string, board: string, initials: string): void {
  node.join(socket, board);
  node.register(socket, initials);
}

export function describeLiveStateContract(name: string, makeFixture: () => Promise<LiveStateFixture>): void {
  describe(`LiveState contract: ${name}`, () => {
    let fixture: LiveStateFixture | undefined;
    const start = async () => {
      fixture = await makeFixture();
      return fixture;
    };
    const board = () => `b-${randomUUID().slice(0, 8)}`;
    afterEach(async () => {
      await fixture?.cleanup();
      fixture = undefined;
    });

    it("counts a watcher as here but lists only registered players", async () => {
      const a = await (await start()).node();
      const room = board();
      a.join("s1", room);
      a.join("s2", room);
      expect(a.here(room)).toBe(2);
      expect(a.players(room)).toEqual([]);
      expect(a.register("s1", "AB")).toBe(true);
      expect(a.register("s1", "AB")).toBe(false);
      expect(a.players(room)).toEqual(["AB"]);
      expect(a.initialsOf("s1")).toBe("AB");
      expect(a.initialsOf("s2")).toBeUndefined();
      expect(a.leave("s2")).toBe(false);
      expect(a.here(room)).toBe(1);
      expect(a.leave("s1")).toBe(true);
      expect(a.here(room)).toBe(0);
      expect(a.players(room)).toEqual([]);
    });

    it("lists one node's players and watchers on another, and tells it when they change", async () => {
      const f = await start();
      const [a, b] = [await f.node(), await f.node()];
      const room = board();
      const heard = vi.fn<(board: string) => void>();
      b.onRemoteChange(heard);
      a.join("a1", room);
      a.join("a2", room);
      a.register("a1", "AA");
      await vi.waitFor(() => expect([b.players(room), b.here(room)]).toEqual([["AA"], 2]), SEEN_WITHIN);
      expect(heard).toHaveBeenCalledWith(room);
      // B's own sockets count on both nodes too.
      play(b, "b1", room, "BB");
      await vi.waitFor(() => expect([a.players(room), a.here(room)]).toEqual([["AA", "BB"], 3]), SEEN_WITHIN);
      expect(b.players(room)).toEqual(["AA", "BB"]);

      a.register("a1", "AX");
      a.leave("a2");
      await vi.waitFor(() => expect([b.players(room), b.here(room)]).toEqual([["AX", "BB"], 2]), SEEN_WITHIN);
    });

    it("orders every node's players by arrival, the same on every node", async () => {
      const f = await start();
      const [a, b, c] = [await f.node(), await f.node(), await f.node()];
      const room = board();
      const arrivals: [LiveState, string, string][] = [
        [a, "a1", "A1"],
        [b, "b1", "B1"],
        [c, "c1", "C1"],
        [a, "a2", "A2"],
        [b, "b2", "B2"],
      ];
      for (const [node, socket, initials] of arrivals) {
        node.join(socket, room);
        node.register(socket, initials);
        // Arrivals a few milliseconds apart, as people are.
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const expected = ["A1", "B1", "C1", "A2", "B2"];
      for (const node of [a, b, c]) await vi.waitFor(() => expect(node.players(room)).toEqual(expected), SEEN_WITHIN);
    });

    it("keeps boards apart, and moves a socket that joins another board", async () => {
      const f = await start();
      const [a, b] = [await f.node(), await f.node()];
      const [one, two] = [board(), board()];
      play(a, "s1", one, "AB");
      a.join("s2", two);
      await vi.waitFor(() => expect([b.players(one), b.here(two)]).toEqual([["AB"], 1]), SEEN_WITHIN);
      expect(b.players(two)).toEqual([]);
      a.join("s1", two);
      await vi.waitFor(() => expect([b.here(one), b.here(two), b.players(two)]).toEqual([0, 2, []]), SEEN_WITHIN);
    });

    it("shows a node that starts later everyone already there", async () => {
      const f = await start();
      const a = await f.node();
      const room = board();
      play(a, "a1", room, "AA");
      const late = await f.node();
      // It learns of boards it has no socket on too (the REST API lists a board's players).
      await vi.waitFor(() => expect(late.players(room)).toEqual(["AA"]), { timeout: 6_000, interval: 20 });
      late.join("l1", room);
      expect(late.here(room)).toBe(2);
    });

    it("takes a node's people off the others' lists as soon as it closes", async () => {
      const f = await start();
      const [a, b] = [await f.node(), await f.node()];
      const room = board();
      play(a, "a1", room, "AA");
      play(b, "b1", room, "BB");
      // Joined in the same millisecond: either order, as long as every node agrees.
      await vi.waitFor(() => expect([...b.players(room)].sort()).toEqual(["AA", "BB"]), SEEN_WITHIN);
      await a.close();
      await vi.waitFor(() => expect([b.players(room), b.here(room)]).toEqual([["BB"], 1]), { timeout: 1_000, interval: 10 });
    });

    it("gives players on different nodes different colours, kept while they stay, and the same details everywhere", async () => {
      const f = await start();
      const [a, b] = [await f.node(), await f.node()];
      const room = board();
      play(a, "a1", room, "AB");
      await vi.waitFor(() => expect(b.players(room)).toEqual(["AB"]), SEEN_WITHIN);
      play(b, "b1", room, "AB");
      await vi.waitFor(() => expect(a.playerDetails(room)).toHaveLength(2), SEEN_WITHIN);
      const details = a.playerDetails(room);
      expect(b.playerDetails(room)).toEqual(details);
      const [first, second] = details as [PlayerDetails, PlayerDetails];
      // Same initials, told apart by id and colour.
      expect(first.initials).toBe(second.initials);
      expect(first.id).not.toBe(second.id);
      expect(first.colour).toMatch(/^#[0-9a-f]{6}$/);
      expect(second.colour).not.toBe(first.colour);
      a.register("a1", "XY");
      await vi.waitFor(() => expect(b.playerDetails(room)[0]).toEqual({ ...first, initials: "XY" }), SEEN_WITHIN);
    });

    it("keeps a board's last 50 chat messages for everyone, oldest first", async () => {
      const f = await start();
      const [a, b] = [await f.node(), await f.node()];
      const [room, other] = [board(), board()];
      const message = (i: number) => ({ user: "AB", text: `hello ${i}`, time: 1_700_000_000_000 + i, colour: "#1d4ed8" });
      for (let i = 0; i < 55; i++) await (i % 2 === 0 ? a : b).remember(room, message(i));
      await a.remember(other, { ...message(0), user: "circles", bot: true });
      const history = await b.recentMessages(room);
      expect(history.map((m) => m.text)).toEqual(Array.from({ length: 50 }, (_, i) => `hello ${i + 5}`));
      expect(history[0]).toEqual(message(5));
      expect(await a.recentMessages(other)).toEqual([{ ...message(0), user: "circles", bot: true }]);
      expect(await a.recentMessages(board())).toEqual([]);
    });

    it("forgets a board's chat for every node, and only that board's", async () => {
      const f = await start();
      const [a, b] = [await f.node(), await f.node()];
      const [room, other] = [board(), board()];
      const message = { user: "AB", text: "hello", time: 1_700_000_000_000, colour: "#1d4ed8" };
      await a.remember(room, message);
      await a.remember(other, message);
      await b.forgetChat(room);
      expect(await a.recentMessages(room)).toEqual([]);
      expect(await a.recentMessages(other)).toEqual([message]);
    });

    it("finds a player of any node by public id, with their key's hash, and no watcher", async () => {
      const f = await start();
      const [a, b] = [await f.node(), await f.node()];
      const room = board();
      const owner = "o".repeat(43);
      a.join("a1", room, owner);
      a.register("a1", "AB");
      a.join("a2", room);
      a.register("a2", "CD");
      a.join("a3", room, owner);
      await vi.waitFor(() => expect(b.playerDetails(room)).toHaveLength(2), SEEN_WITHIN);
      const [ab, cd] = b.playerDetails(room) as [PlayerDetails, PlayerDetails];
      expect(b.playerById(room, ab.id)).toEqual({ initials: "AB", owner });
      expect(b.playerById(room, cd.id)).toEqual({ initials: "CD", owner: null });
      expect(a.playerById(room, ab.id)).toEqual({ initials: "AB", owner });
      expect(b.playerById(room, "nobody")).toBeUndefined();
      expect(b.playerById(board(), ab.id)).toBeUndefined();
      // Owners never reach what clients are sent.
      expect(JSON.stringify(b.playerDetails(room))).not.toContain(owner);
    });

    it("counts only this node's sockets in its own numbers", async () => {
      const f = await start();
      const [a, b] = [await f.node(), await f.node()];
      const room = board();
      play(a, "a1", room, "AA");
      b.join("b1", room);
      await vi.waitFor(() => expect(b.here(room)).toBe(2), SEEN_WITHIN);
      expect([b.connections, b.playerCount, b.connectionsTo(room), [...b.boards()]]).toEqual([1, 0, 1, [room]]);
      expect([a.connections, a.playerCount]).toEqual([1, 1]);
    });
  });
}
