/** Server-owned boards over real sockets: snapshots, isolation, the cap and the rate limit. */
import { performance } from "node:perf_hooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Ack, BoardSnapshot, Circle, CircleInput } from "../lib/protocol/events.js";
import { SqliteStore } from "../lib/store/sqlite-store.js";
import { nextEvent, startTestServer, type TestClient, type TestServer } from "./support/test-server.js";

const circle = (x = 100): CircleInput => ({ initials: "AB", x, y: 200, dia: 50, rgba: "#336699" });

/**
 * Resolves once everything the server sent `socket` before now has arrived: a refused
 * registration (which announces nothing) is answered on the same connection, after them.
 */
async function sync(socket: TestClient): Promise<void> {
  expect(await socket.timeout(2000).emitWithAck("register-player", "")).toMatchObject({ ok: false });
}

let server: TestServer;
afterEach(async () => {
  await server.close();
});

describe("snapshots", () => {
  it("sends a late joiner the board's circles first, then the players", async () => {
    server = await startTestServer();
    const alice = await server.client();
    await alice.emitWithAck("register-player", "AB");
    const first = await alice.emitWithAck("add-circle", circle(1));
    const second = await alice.emitWithAck("add-circle", circle(2));

    const late = await server.client();
    // The chat bot's welcome comes apart from the board (see chat.test.ts). The board's next tick may
    // send everyone the list again, the newcomer included, when it changed since the last: the same list.
    const events = late.received.filter((e) => e.event !== "message");
    expect(events.slice(0, 2).map((e) => e.event)).toEqual(["board-snapshot", "update-player-list"]);
    const [snapshot] = events[0]!.args as [{ board: string; circles: unknown[] }];
    expect(snapshot.board).toBe("default");
    expect(snapshot.circles).toEqual([first.ok && first.circle, second.ok && second.circle]);
    for (const later of events.slice(1)) expect(later).toEqual({ event: "update-player-list", args: [["AB"]] });
  });

  it("sends an empty snapshot after a clear", async () => {
    server = await startTestServer();
    const alice = await server.client();
    await alice.emitWithAck("add-circle", circle());
    await alice.emitWithAck("clear-circles");
    const late = await server.client();
    expect(late.received[0]).toEqual({ event: "board-snapshot", args: [{ board: "default", seq: 2, circles: [] }] });
  });

  it("never lets a live event overtake the snapshot, even mid-burst", async () => {
    // A limit no burst here reaches: every write must be accepted.
    server = await startTestServer({ config: { rateLimit: { perSecond: 100_000, burst: 100_000 } } });
    // The production store, whose group commit settles a batch of writes together.
    expect(server.store).toBeInstanceOf(SqliteStore);
    const writer = await server.client();

    // The writer clicks without waiting for answers, a few circles at a time, until every joiner
    // has its snapshot, so that each join's load falls among writes queued, committing and being
    // announced. The joiners connect one after another all through the burst.
    const CHUNK = 5;
    const JOINERS = 8;
    const acks: Promise<Ack<{ circle: Circle }>>[] = [];
    let joined = false;
    const writing = (async () => {
      // The first chunk goes out before this function first yields, so before any joiner connects.
      while (!joined) {
        for (let i = 0; i < CHUNK; i++) acks.push(writer.emitWithAck("add-circle", circle(acks.length)));
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    const joiners: TestClient[] = [];
    try {
      for (let i = 0; i < JOINERS; i++) joiners.push(await server.client());
    } finally {
      joined = true;
      await writing;
    }
    const answers = await Promise.all(acks);
    expect(answers.filter((a) => !a.ok)).toEqual([]);
    const stored = (await server.storedCircles("default")).map((c) => c.id).sort();
    expect(stored, "stored circles").toEqual(answers.map((a) => (a.ok ? a.circle.id : "")).sort());

    // A joiner's first event came before `client()` resolved: nothing later can change it.
    for (const [index, joiner] of joiners.entries()) {
      expect(joiner.received[0]?.event, `joiner #${index}'s first event`).toBe("board-snapshot");
    }
    const seenBy = (joiner: TestClient) => {
      const [snapshot] = joiner.received[0]!.args as [BoardSnapshot];
      const live = joiner.received.filter((e) => e.event === "add-circle").map((e) => (e.args[0] as Circle).id);
      return { snapshot: snapshot.circles.map((c) => c.id), live };
    };
    // Until every stored circle has reached every joiner, one way or the other.
    await vi.waitFor(
      () => {
        for (const [index, joiner] of joiners.entries()) {
          const { snapshot, live } = seenBy(joiner);
          const seen = new Set([...snapshot, ...live]);
          expect(
            stored.filter((id) => !seen.has(id)),
            `circles joiner #${index} never got`,
          ).toEqual([]);
        }
      },
      { timeout: 5000, interval: 10 },
    );

    const split = joiners.map((joiner, index) => {
      const where = `joiner #${index}`;
      const { snapshot, live } = seenBy(joiner);
      // Every circle is seen exactly once: in the snapshot or live, never both, never neither.
      const liveIds = new Set(live);
      expect(
        snapshot.filter((id) => liveIds.has(id)),
        `${where}: in the snapshot and live`,
      ).toEqual([]);
      expect(live, `${where}: live events`).toHaveLength(liveIds.size);
      expect([...snapshot, ...live].sort(), `${where}: every stored circle, once`).toEqual(stored);
      return { snapshot: snapshot.length, live: live.length };
    });
    // The joins really fell mid-burst: some joiner got part of the board as a snapshot and the rest live.
    expect(
      split.some((s) => s.snapshot > 0 && s.live > 0),
      `snapshot/live sizes per joiner: ${JSON.stringify(split)}`,
    ).toBe(true);
  });
});

describe("boards", () => {
  it("keeps circles, clears and players apart", async () => {
    server = await startTestServer();
    const onOne = await server.client({ board: "one" });
    const onTwo = await server.client({ board: "two" });
    const onDefault = await server.client();
    // Player lists go out with the next tick: wait for them before the circles.
    const listed = Promise.all([nextEvent(onOne, "update-player-list"), nextEvent(onTwo, "update-player-list")]);
    await onOne.emitWithAck("register-player", "ONE");
    await onTwo.emitWithAck("register-player", "TWO");
    await listed;
    await onOne.emitWithAck("add-circle", circle());
    await onTwo.emitWithAck("add-circle", circle());
    await onTwo.emitWithAck("clear-circles");
    // Anything leaked to another board was sent before the answers above, so before these.
    await Promise.all([onOne, onTwo, onDefault].map(sync));

    // Chat is checked apart: each socket hears only its own board's bot.
    const events = (socket: typeof onOne) => socket.received.map((e) => e.event).filter((event) => event !== "message");
    const chat = (socket: typeof onOne) => socket.received.filter((e) => e.event === "message").map((e) => (e.args[0] as { text: string }).text);
    expect(chat(onOne).filter((text) => text.startsWith("Welcome"))).toEqual(["Welcome to one! Say hello."]);
    expect(chat(onDefault).filter((text) => text.startsWith("Welcome"))).toEqual(["Welcome to default! Say hello."]);
    expect([...chat(onOne), ...chat(onDefault)].some((text) => text.includes("TWO"))).toBe(false);
    expect(events(onOne)).toEqual(["board-snapshot", "update-player-list", "update-player-list", "add-circle"]);
    const lists = (socket: typeof onOne) => socket.received.filter((e) => e.event === "update-player-list").map((e) => e.args[0]);
    expect(lists(onOne)).toEqual([[], ["ONE"]]);
    expect(lists(onTwo)).toEqual([[], ["TWO"]]);
    expect(events(onDefault)).toEqual(["board-snapshot", "update-player-list"]);
    expect(await server.storedCircles("one")).toHaveLength(1);
    expect(await server.storedCircles("two")).toHaveLength(0);
  });

  it("refuses a handshake for an invalid board name", async () => {
    server = await startTestServer();
    await expect(server.client({ board: "Not A Board!" })).rejects.toThrow(/board name/);
  });
});

describe("limits", () => {
  it("removes the oldest circle for everyone past the cap", async () => {
    server = await startTestServer({ config: { maxCircles: 3 } });
    const alice = await server.client();
    const bob = await server.client();
    const acks = [];
    for (let i = 0; i < 3; i++) acks.push(await alice.emitWithAck("add-circle", circle(i)));
    const removed = nextEvent(bob, "remove-circle");
    await alice.emitWithAck("add-circle", circle(3));

    const oldest = acks[0]!;
    expect(await removed).toEqual([{ id: oldest.ok ? oldest.circle.id : "" }]);
    expect((await server.storedCircles("default")).map((c) => c.x)).toEqual([1, 2, 3]);
  });

  it("rate-limits a flooding connection without disconnecting it or refusing others", async () => {
    server = await startTestServer({ config: { rateLimit: { perSecond: 5, burst: 10 } } });
    const flooder = await server.client();
    const other = await server.client();
    const acks = await Promise.all(Array.from({ length: 30 }, (_, i) => flooder.emitWithAck("add-circle", circle(i))));

    expect(acks.filter((a) => a.ok)).toHaveLength(10);
    expect(acks.filter((a) => !a.ok)).toEqual(Array(20).fill({ ok: false, error: "rate limited", code: "rate-limited" }));
    expect(flooder.connected).toBe(true);
    expect(await server.storedCircles("default")).toHaveLength(10);
    expect((await other.emitWithAck("add-circle", circle())).ok).toBe(true);
  });

  it("cuts off a connection that floods far past the limit, and lets its address back in only on probation", async () => {
    server = await startTestServer({ config: { rateLimit: { perSecond: 5, burst: 10 } } });
    const cutOffs = async () => (await server.metrics.floodCutOffs.get()).values[0]?.value;
    /** Far more than the guard's 20 events a second, sent at once; resolves with how many were answered before the cut-off. */
    const flood = async (flooder: TestClient) => {
      const cutOff = new Promise<string>((resolve) => flooder.once("disconnect", resolve));
      let answered = 0;
      for (let i = 0; i < 500; i++) flooder.emit("add-circle", circle(i), () => answered++);
      expect(await cutOff).toBe("io server disconnect");
      return answered;
    };
    const bystander = await server.client();
    await flood(await server.client());
    expect(await cutOffs()).toBe(1);
    const stored = (await server.storedCircles("default")).length;
    expect(stored).toBeLessThanOrEqual(10);

    // The same address gets in again, with nothing banked: the same flood is cut off before any of it is handled.
    const connecting = performance.now();
    const answered = await flood(await server.client());
    expect(await cutOffs()).toBe(2);
    expect(answered).toBeLessThanOrEqual(Math.floor((20 * (performance.now() - connecting)) / 1000));
    expect((await server.storedCircles("default")).length - stored).toBeLessThanOrEqual(answered);

    // Someone else on that address is served, a moment later; the bystander, connected before, never noticed.
    const newcomer = await server.client();
    expect((await newcomer.emitWithAck("add-circle", circle())).ok).toBe(true);
    expect((await bystander.emitWithAck("add-circle", circle())).ok).toBe(true);
  });
});
