/** Server-owned boards over real sockets: snapshots, isolation, the cap and the rate limit. */
import { afterEach, describe, expect, it } from "vitest";
import type { CircleInput } from "../lib/events.js";
import { nextEvent, startTestServer, type TestServer } from "./support/test-server.js";

const circle = (x = 100): CircleInput => ({ initials: "AB", x, y: 200, dia: 50, rgba: "#336699" });

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
    expect(late.received.map((e) => e.event)).toEqual(["board-snapshot", "update-player-list"]);
    const [snapshot] = late.received[0]!.args as [{ board: string; circles: unknown[] }];
    expect(snapshot.board).toBe("default");
    expect(snapshot.circles).toEqual([first.ok && first.circle, second.ok && second.circle]);
    expect(late.received[1]!.args).toEqual([["AB"]]);
  });

  it("sends an empty snapshot after a clear", async () => {
    server = await startTestServer();
    const alice = await server.client();
    await alice.emitWithAck("add-circle", circle());
    await alice.emitWithAck("clear-circles");
    const late = await server.client();
    expect(late.received[0]).toEqual({ event: "board-snapshot", args: [{ board: "default", circles: [] }] });
  });

  it("never lets a live event overtake the snapshot, even mid-burst", async () => {
    server = await startTestServer();
    const writer = await server.client();
    const burst = Array.from({ length: 200 }, (_, i) => writer.emitWithAck("add-circle", circle(i)));
    const joiners = await Promise.all(Array.from({ length: 5 }, () => server.client()));
    await Promise.all(burst);
    await new Promise((resolve) => setTimeout(resolve, 100));

    for (const joiner of joiners) {
      expect(joiner.received[0]!.event).toBe("board-snapshot");
      const [snapshot] = joiner.received[0]!.args as [{ circles: { id: string }[] }];
      const live = joiner.received.filter((e) => e.event === "add-circle").map((e) => (e.args[0] as { id: string }).id);
      // Every circle is seen exactly once: in the snapshot or live, never both, never neither.
      const seen = [...snapshot.circles.map((c) => c.id), ...live];
      expect(new Set(seen).size).toBe(200);
      expect(seen).toHaveLength(200);
    }
  });
});

describe("boards", () => {
  it("keeps circles, clears and players apart", async () => {
    server = await startTestServer();
    const onOne = await server.client({ board: "one" });
    const onTwo = await server.client({ board: "two" });
    const onDefault = await server.client();
    await onOne.emitWithAck("register-player", "ONE");
    await onTwo.emitWithAck("register-player", "TWO");
    await onOne.emitWithAck("add-circle", circle());
    await onTwo.emitWithAck("add-circle", circle());
    await onTwo.emitWithAck("clear-circles");
    await new Promise((resolve) => setTimeout(resolve, 50));

    const events = (socket: typeof onOne) => socket.received.map((e) => e.event);
    expect(events(onOne)).toEqual(["board-snapshot", "update-player-list", "update-player-list", "add-circle"]);
    expect(onOne.received[2]!.args).toEqual([["ONE"]]);
    expect(onTwo.received[2]!.args).toEqual([["TWO"]]);
    expect(events(onDefault)).toEqual(["board-snapshot", "update-player-list"]);
    expect(await server.boards.circles("one")).toHaveLength(1);
    expect(await server.boards.circles("two")).toHaveLength(0);
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
    expect((await server.boards.circles("default")).map((c) => c.x)).toEqual([1, 2, 3]);
  });

  it("rate-limits a flooding connection without disconnecting it or refusing others", async () => {
    server = await startTestServer({ config: { rateLimit: { perSecond: 5, burst: 10 } } });
    const flooder = await server.client();
    const other = await server.client();
    const acks = await Promise.all(Array.from({ length: 30 }, (_, i) => flooder.emitWithAck("add-circle", circle(i))));

    expect(acks.filter((a) => a.ok)).toHaveLength(10);
    expect(acks.filter((a) => !a.ok)).toEqual(Array(20).fill({ ok: false, error: "rate limited" }));
    expect(flooder.connected).toBe(true);
    expect(await server.boards.circles("default")).toHaveLength(10);
    expect((await other.emitWithAck("add-circle", circle())).ok).toBe(true);
  });

  it("cuts off a connection that floods far past the limit, and keeps its address out for a while", async () => {
    server = await startTestServer({ config: { rateLimit: { perSecond: 5, burst: 10 } } });
    const bystander = await server.client();
    const flooder = await server.client();
    const cutOff = new Promise<string>((resolve) => flooder.once("disconnect", resolve));
    // Far more than the guard's 20 events a second, sent at once, answers not awaited.
    for (let i = 0; i < 500; i++) flooder.emit("add-circle", circle(i));

    expect(await cutOff).toBe("io server disconnect");
    expect((await server.metrics.floodCutOffs.get()).values[0]?.value).toBe(1);
    await expect(server.client()).rejects.toThrow(/too many events/);
    expect((await bystander.emitWithAck("add-circle", circle())).ok).toBe(true);
    expect((await server.boards.circles("default")).length).toBeLessThanOrEqual(11);
  });
});
