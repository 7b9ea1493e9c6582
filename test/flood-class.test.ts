/**
 * "A class behind one address": 200 classmates and one auto-clicker, all on
 * one address (every client here connects from 127.0.0.1). The flooder is cut
 * off and gains nothing by reconnecting at once, again and again; the class
 * keeps adding circles meanwhile, and when all of it reconnects at once after
 * a network blip, all of it gets back in.
 */
import { performance } from "node:perf_hooks";
import { Writable } from "node:stream";
import { afterEach, expect, it } from "vitest";
import type { CircleInput } from "../lib/protocol/events.js";
import { createLogger } from "../lib/ops/logger.js";
import { startTestServer, type TestClient, type TestServer } from "./support/test-server.js";

const CLASS = 200;
const LIMITS = { perSecond: 5, burst: 10 };
/** The flood guard's budget with these limits (server.ts): 20 events a second, cut off 20 past that. */
const EVENTS_PER_SECOND = Math.max(2 * LIMITS.burst, 20);
const RECONNECTIONS = 10;
/** Far past the cut-off, sent at once. */
const FLOOD = 200;

const classCircle = (x: number): CircleInput => ({ initials: "CL", x, y: 100, dia: 20, rgba: "#336699" });
const flooderCircle: CircleInput = { initials: "FL", x: 1, y: 1, dia: 20, rgba: "#ff0000" };
const initials = (i: number) => String(i).padStart(3, "0");

let server: TestServer;
afterEach(async () => {
  await server.close();
});

/** Log lines with this message, from a real pino logger. */
function memoryLogger() {
  const messages: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line) messages.push(String((JSON.parse(line) as { msg: unknown }).msg));
      done();
    },
  });
  return { logger: createLogger("info", sink), count: (msg: string) => messages.filter((m) => m === msg).length };
}

/** Sends FLOOD circles at once and waits for the server to end the connection; says how many were answered, and how fast. */
async function flood(socket: TestClient): Promise<{ answered: number; cutOffMs: number }> {
  const cutOff = new Promise<string>((resolve, reject) => {
    socket.once("disconnect", resolve);
    setTimeout(() => reject(new Error("the flooder was not cut off within 2 s")), 2000);
  });
  let answered = 0;
  const start = performance.now();
  for (let i = 0; i < FLOOD; i++) socket.emit("add-circle", flooderCircle, () => answered++);
  expect(await cutOff).toBe("io server disconnect");
  return { answered, cutOffMs: performance.now() - start };
}

/** The flooder reconnecting the moment it is cut off, RECONNECTIONS times; each time it gets in, floods, and is cut off. */
async function reconnectingFlooder() {
  const runs: { answered: number; cutOffMs: number; lifetimeMs: number }[] = [];
  for (let i = 0; i < RECONNECTIONS; i++) {
    // From before the handshake: the server's count starts within it.
    const start = performance.now();
    const again = await server.client();
    const run = await flood(again);
    runs.push({ ...run, lifetimeMs: performance.now() - start });
  }
  return runs;
}

it("cuts off a flooder and every reconnection of it, while 200 classmates on its address keep adding circles, also after all reconnect at once", async () => {
  const { logger, count } = memoryLogger();
  server = await startTestServer({ config: { rateLimit: LIMITS }, logger });
  const cutOffs = async () => (await server.metrics.floodCutOffs.get()).values[0]?.value;
  const storedFrom = async (rgba: string) => (await server.storedCircles("default")).filter((c) => c.rgba === rgba).length;

  const classmates = await Promise.all(Array.from({ length: CLASS }, () => server.client()));
  for (const [i, classmate] of classmates.entries()) {
    expect(await classmate.timeout(5000).emitWithAck("register-player", initials(i))).toMatchObject({ ok: true, initials: initials(i) });
  }

  // The auto-clicker, connected like everyone else, floods and is cut off: its address cools down.
  await flood(await server.client());
  expect(await cutOffs()).toBe(1);
  const firstCircles = await storedFrom(flooderCircle.rgba);
  expect(firstCircles).toBeLessThanOrEqual(LIMITS.burst);

  // It reconnects at once, again and again, while every classmate adds two circles.
  const [runs, classAcks] = await Promise.all([
    reconnectingFlooder(),
    Promise.all(
      classmates.map(async (classmate, i) => [
        await classmate.timeout(5000).emitWithAck("add-circle", classCircle(i)),
        await classmate.timeout(5000).emitWithAck("add-circle", classCircle(i + 1)),
      ]),
    ),
  ]);
  expect(classAcks.flat().filter((ack) => !ack.ok)).toEqual([]);
  expect(classAcks.flat()).toHaveLength(2 * CLASS);

  // Every reconnection got in, and was cut off again quickly.
  expect(runs).toHaveLength(RECONNECTIONS);
  for (const run of runs) expect(run.cutOffMs).toBeLessThan(1000);
  expect(await cutOffs()).toBe(1 + RECONNECTIONS);
  // A reconnection starts with nothing banked: altogether, the reconnections got no more than the sustained rate
  // over the time they were connected, with nothing for the burst each connection would have had.
  const answered = runs.reduce((sum, run) => sum + run.answered, 0);
  const connectedSeconds = runs.reduce((sum, run) => sum + run.lifetimeMs, 0) / 1000;
  expect(answered).toBeLessThanOrEqual(Math.floor(EVENTS_PER_SECOND * connectedSeconds));
  expect((await storedFrom(flooderCircle.rgba)) - firstCircles).toBeLessThanOrEqual(answered);

  // A network blip: the whole class drops, and reconnects at once while the address still cools down.
  await Promise.all(
    classmates.map(async (classmate) => {
      const gone = new Promise((resolve) => classmate.once("disconnect", resolve));
      classmate.disconnect();
      await gone;
    }),
  );
  const back = await Promise.all(Array.from({ length: CLASS }, () => server.client()));
  expect(count("connection on probation during flood cool-down")).toBe(RECONNECTIONS + CLASS);
  // Each registers and adds a circle at once, as the page does on reconnecting; none is refused.
  const rejoined = await Promise.all(
    back.map((classmate, i) =>
      Promise.all([
        classmate.timeout(5000).emitWithAck("register-player", initials(i)),
        classmate.timeout(5000).emitWithAck("add-circle", classCircle(i)),
      ]),
    ),
  );
  for (const [i, [registered, added]] of rejoined.entries()) {
    expect(registered).toMatchObject({ ok: true, initials: initials(i) });
    expect(added).toMatchObject({ ok: true });
  }
  expect(await storedFrom(classCircle(0).rgba)).toBe(3 * CLASS);
  expect(await cutOffs()).toBe(1 + RECONNECTIONS);
}, 60_000);
