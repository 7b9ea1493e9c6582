/**
 * The lesson's protocol over real sockets: what the sender's acknowledgement
 * says and what *another* client receives, on both transports.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { io as connect } from "socket.io-client";
import type { Circle, CircleInput } from "../lib/protocol/events.js";
import { TICK_MS } from "../socket/relay/fanout.js";
import { nextEvent, startTestServer, type TestClient, type TestServer } from "./support/test-server.js";

const circle: CircleInput = { initials: "AB", x: 100, y: 200, dia: 50, rgba: "rgba(10, 20, 30, 0.5)" };

/** How many times the server has relayed to a room of lesson clients (or sent a tick's `board-events`). */
async function broadcasts(on: TestServer, event: "lesson-events" | "board-events"): Promise<number> {
  const { values } = await on.metrics.broadcastSeconds.get();
  return values.find((v) => v.metricName === "circles_broadcast_fanout_seconds_count" && v.labels["event"] === event)?.value ?? 0;
}

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await server.close();
});

describe.each(["websocket", "polling"] as const)("over %s", (transport) => {
  it("relays a circle to every client, sender included, with the payload unchanged", async () => {
    const alice = await server.client({ transports: [transport] });
    const bob = await server.client({ transports: [transport] });
    const seenByBob = nextEvent(bob, "add-circle");
    const seenByAlice = nextEvent(alice, "add-circle");

    const ack = await alice.emitWithAck("add-circle", circle);

    expect(ack).toMatchObject({ ok: true, circle: { ...circle } });
    const [relayed] = await seenByBob;
    expect(relayed).toMatchObject(circle);
    expect(relayed.id).toEqual(expect.any(String));
    expect(relayed.createdAt).toEqual(expect.any(Number));
    expect((await seenByAlice)[0]).toEqual(relayed);
    if (ack.ok) expect(ack.circle).toEqual(relayed);
  });

  it("relays a burst as one event per change, in order, to both transports, and acknowledges each write after its event", async () => {
    const other = transport === "websocket" ? "polling" : "websocket";
    const alice = await server.client({ transports: [transport] });
    const bob = await server.client({ transports: [transport] });
    const carol = await server.client({ transports: [other] });
    const relaysBefore = await broadcasts(server, "lesson-events");
    const changes = [...Array.from({ length: 10 }, () => "add"), "clear", ...Array.from({ length: 5 }, () => "add")];
    // Sent without waiting, so that the store commits them together and the server relays them in a turn or two.
    const acks = await Promise.all(
      changes.map(async (change, i) => {
        const ack = change === "add" ? await alice.emitWithAck("add-circle", { ...circle, x: i }) : await alice.emitWithAck("clear-circles");
        const relayedFirst =
          !ack.ok || !("circle" in ack) || alice.received.some((e) => e.event === "add-circle" && (e.args[0] as Circle).id === ack.circle.id);
        return { ack, relayedFirst };
      }),
    );
    expect(acks.map((a) => a.ack.ok && a.ack.seq)).toEqual(changes.map((_, i) => i + 1));
    expect(acks.every((a) => a.relayedFirst)).toBe(true);

    const expected = acks.flatMap(({ ack }) =>
      ack.ok && "circle" in ack
        ? [{ event: "add-circle", args: [ack.circle] }]
        : [
            { event: "clear-circles", args: [] },
            { event: "clear-display", args: [] },
          ],
    );
    const live = (client: TestClient) => client.received.filter((e) => /^(add-circle|clear-circles|clear-display)$/.test(e.event));
    for (const client of [alice, bob, carol]) await vi.waitFor(() => expect(live(client)).toEqual(expected));
    // One relay per change would be 16; stored together, they are relayed together.
    expect((await broadcasts(server, "lesson-events")) - relaysBefore).toBeLessThanOrEqual(8);
  });

  it("announces a clear to everyone under both names", async () => {
    const alice = await server.client({ transports: [transport] });
    const bob = await server.client({ transports: [transport] });
    const both = Promise.all([nextEvent(bob, "clear-circles"), nextEvent(bob, "clear-display")]);

    expect(await alice.emitWithAck("clear-circles")).toEqual({ ok: true, seq: 1 });
    await both;
  });
});

it("accepts clear-display, the lesson's own name for a clear", async () => {
  const alice = await server.client();
  const bob = await server.client();
  const cleared = nextEvent(bob, "clear-circles");
  expect(await alice.emitWithAck("clear-display")).toEqual({ ok: true, seq: 1 });
  await cleared;
});

it("works for lesson clients that send no acknowledgement callback", async () => {
  const alice = await server.client();
  const bob = await server.client();
  const relayed = nextEvent(bob, "add-circle");
  alice.emit("add-circle", circle);
  expect((await relayed)[0]).toMatchObject(circle);

  const cleared = nextEvent(bob, "clear-display");
  alice.emit("clear-circles");
  await cleared;
});

describe("players", () => {
  it("sends the player list to each socket when it connects", async () => {
    const alice = await server.client();
    await alice.emitWithAck("register-player", "AB");
    const bob = await server.client();
    const list = bob.received.find((e) => e.event === "update-player-list");
    expect(list?.args).toEqual([["AB"]]);
  });

  it("announces every registration to everyone, in arrival order", async () => {
    const alice = await server.client();
    const bob = await server.client();
    const first = nextEvent(bob, "update-player-list");
    expect(await alice.emitWithAck("register-player", "AB")).toMatchObject({ ok: true, initials: "AB" });
    expect(await first).toEqual([["AB"]]);

    const second = nextEvent(alice, "update-player-list");
    await bob.emitWithAck("register-player", "CD");
    expect(await second).toEqual([["AB", "CD"]]);
  });

  it("removes a player who disconnects", async () => {
    const alice = await server.client();
    const bob = await server.client();
    await alice.emitWithAck("register-player", "AB");
    await bob.emitWithAck("register-player", "CD");
    const update = nextEvent(alice, "update-player-list");
    bob.disconnect();
    expect(await update).toEqual([["AB"]]);
    expect(server.presence.connections).toBe(1);
  });

  it("changes a player's initials in place", async () => {
    const alice = await server.client();
    await alice.emitWithAck("register-player", "AB");
    const update = nextEvent(alice, "update-player-list");
    await alice.emitWithAck("register-player", "XYZ");
    expect(await update).toEqual([["XYZ"]]);
  });

  it("announces nothing when a player registers the same initials again", async () => {
    const alice = await server.client();
    const bob = await server.client();
    const first = nextEvent(bob, "update-player-list");
    await alice.emitWithAck("register-player", "AB");
    await first;
    expect(await alice.emitWithAck("register-player", "AB")).toMatchObject({ ok: true, initials: "AB" });
    // Lists go out once per tick: any list Alice's repeat caused would have been sent by now.
    await new Promise((resolve) => setTimeout(resolve, 2 * TICK_MS));
    const own = nextEvent(bob, "update-player-list");
    await bob.emitWithAck("register-player", "CD");
    await own;
    const lists = bob.received.filter((e) => e.event === "update-player-list").map((e) => e.args[0]);
    expect(lists).toEqual([[], ["AB"], ["AB", "CD"]]);
  });

  it("puts a registered player's initials on their circles", async () => {
    const alice = await server.client();
    await alice.emitWithAck("register-player", "AB");
    const ack = await alice.emitWithAck("add-circle", { ...circle, initials: "ZZ" });
    expect(ack).toMatchObject({ ok: true, circle: { initials: "AB" } });
  });

  it("lets a client that never registers add circles under the payload's initials", async () => {
    const alice = await server.client();
    const ack = await alice.emitWithAck("add-circle", { ...circle, initials: "QQ" });
    expect(ack).toMatchObject({ ok: true, circle: { initials: "QQ" } });
  });
});

describe("bad input", () => {
  const bad: [string, unknown, RegExp][] = [
    ["a string", "hello", /object/],
    ["null", null, /object/],
    ["no payload", undefined, /object/],
    ["x as a string", { ...circle, x: "100" }, /x must be a finite number/],
    ["NaN", { ...circle, y: Number.NaN }, /y/],
    ["x off the board", { ...circle, x: 5000 }, /x must be between/],
    ["negative y", { ...circle, y: -1 }, /y must be between/],
    ["dia too big", { ...circle, dia: 501 }, /dia must be between 1 and 500/],
    ["dia zero", { ...circle, dia: 0 }, /dia/],
    ["a colour that is not CSS", { ...circle, rgba: "javascript:alert(1)" }, /rgba/],
    ["an oversized colour", { ...circle, rgba: `rgba(${"1".repeat(2000)}, 0, 0, 1)` }, /rgba/],
    ["markup in initials", { ...circle, initials: "<b>" }, /initials/],
    ["missing initials", { x: 1, y: 1, dia: 10, rgba: "#fff" }, /initials/],
  ];

  it.each(bad)("refuses %s: not relayed, acknowledged with the reason, connection kept", async (_name, payload, error) => {
    const alice = await server.client();
    const bob = await server.client();

    const ack = await alice.emitWithAck("add-circle", payload as never);
    expect(ack.ok).toBe(false);
    if (!ack.ok) expect(ack.error).toMatch(error);

    // The next valid circle still goes through, and it is the only one Bob sees.
    const relayed = nextEvent(bob, "add-circle");
    expect((await alice.emitWithAck("add-circle", circle)).ok).toBe(true);
    expect((await relayed)[0]).toMatchObject(circle);
    expect(alice.connected).toBe(true);
    expect(bob.received.filter((e) => e.event === "add-circle")).toHaveLength(1);
  });

  it("answers an unknown event with an error, and carries on", async () => {
    const alice = await server.client();
    const raw = alice as unknown as { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> };
    expect(await raw.emitWithAck("draw-square", { x: 1 })).toEqual({ ok: false, error: "unknown event", code: "invalid" });
    expect(await raw.emitWithAck("toString")).toEqual({ ok: false, error: "unknown event", code: "invalid" });
    expect((await alice.emitWithAck("add-circle", circle)).ok).toBe(true);
  });

  it("refuses initials with markup and never relays them", async () => {
    const alice = await server.client();
    const bob = await server.client();
    const ack = await alice.emitWithAck("register-player", "<i>");
    expect(ack).toEqual({ ok: false, error: expect.stringMatching(/initials/), code: "invalid" });
    expect(await alice.emitWithAck("register-player", { toString: "AB" } as never)).toMatchObject({ ok: false });
    const update = nextEvent(bob, "update-player-list");
    await alice.emitWithAck("register-player", "OK");
    await update;
    const lists = bob.received.filter((e) => e.event === "update-player-list").map((e) => e.args[0]);
    expect(lists).toEqual([[], ["OK"]]);
  });

  it("refuses a payload over the transport limit without parsing it, and other clients carry on", async () => {
    const alice = await server.client();
    const bob = await server.client();
    const dropped = new Promise((resolve) => alice.once("disconnect", resolve));
    alice.emit("add-circle", { ...circle, rgba: "x".repeat(10_000) });
    await dropped;

    const relayed = nextEvent(bob, "add-circle");
    expect((await bob.emitWithAck("add-circle", circle)).ok).toBe(true);
    await relayed;
  });
});

it("relays a lesson client's circle back to it even when sent the moment it connects, before its board has loaded", async () => {
  // A fresh board each time, so the circle's write races the board's first load.
  for (let i = 0; i < 10; i++) {
    const socket = connect(server.url, { transports: ["websocket"], forceNew: true, reconnection: false, query: { board: `eager-${i}` } });
    try {
      const relayed = new Promise<unknown>((resolve, reject) => {
        socket.once("add-circle", resolve);
        setTimeout(() => reject(new Error(`no add-circle on eager-${i} within 2 s`)), 2000);
      });
      // Sent before the connection is up: socket.io-client sends it right behind the handshake.
      socket.emit("add-circle", circle);
      expect(await relayed).toMatchObject(circle);
    } finally {
      socket.disconnect();
    }
  }
});
