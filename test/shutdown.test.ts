/**
 * SIGTERM in the middle of a burst of writes, against the real server
 * process and its SQLite file: every acknowledged circle is stored, clients
 * are told in a way that makes them reconnect, and the process exits 0 well
 * within Heroku's 30 s. Needs `npm run build`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { io as connect } from "socket.io-client";
import { afterEach, expect, it } from "vitest";
import type { Circle } from "../lib/protocol/events.js";
import { startServerProcess, type ServerProcess } from "./support/server-process.js";

let dataDir: string | undefined;
let running: ServerProcess | undefined;

afterEach(async () => {
  await running?.stop("SIGKILL");
  running = undefined;
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

it("stores every acknowledged circle, tells clients to reconnect, and exits 0", async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "circles-shutdown-"));
  const env = { DATA_DIR: dataDir, RATE_LIMIT_PER_SECOND: "100000", RATE_LIMIT_BURST: "100000" };
  running = await startServerProcess({ env });

  const acknowledged: Circle[] = [];
  const refusals = new Set<string>();
  const willReconnect: boolean[] = [];
  const transports = ["websocket", "websocket", "websocket", "polling"] as const;
  const writers = transports.map(async (transport, n) => {
    const socket = connect(running!.url, { transports: [transport], forceNew: true });
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    // `active` at disconnect time: the client will reconnect by itself, as it
    // does on "transport close" or "transport error" but not "io server disconnect".
    const closed = new Promise<boolean>((resolve) => socket.once("disconnect", () => resolve(socket.active)));
    // Each writer keeps a few writes in flight until its connection closes (at most 20,000 writes).
    const loop = async () => {
      for (let i = 0; socket.connected && i < 5000; i++) {
        try {
          const ack = await socket.timeout(3000).emitWithAck("add-circle", { initials: `W${n}`, x: i % 1920, y: n, dia: 5, rgba: "#0a0b0c" });
          if (ack.ok) acknowledged.push(ack.circle);
          else refusals.add(ack.error);
        } catch {
          // No answer before the connection closed: not acknowledged, so it may be lost.
        }
      }
    };
    await Promise.all([loop(), loop(), loop()]);
    willReconnect.push(await closed);
    socket.disconnect();
  });

  await sleep(400);
  const before = acknowledged.length;
  const signalled = performance.now();
  const exitCode = await running.stop("SIGTERM");
  const stoppedAfterMs = performance.now() - signalled;
  await Promise.all(writers);
  running = undefined;

  expect(before).toBeGreaterThan(0);
  expect(exitCode).toBe(0);
  expect(stoppedAfterMs).toBeLessThan(10_000);
  expect(willReconnect).toEqual(Array(transports.length).fill(true));
  for (const refusal of refusals) expect(refusal).toBe("the server is restarting: try again shortly");

  running = await startServerProcess({ env });
  const stored = (await (await fetch(`${running.url}/api/boards/default/circles`)).json()) as Circle[];
  const storedIds = new Set(stored.map((circle) => circle.id));
  const missing = acknowledged.filter((circle) => !storedIds.has(circle.id));
  expect(missing).toEqual([]);
});

it("cuts a request stalled mid-upload and still exits 0 within 10 s", async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "circles-shutdown-"));
  running = await startServerProcess({ env: { DATA_DIR: dataDir } });
  const { port } = new URL(running.url);
  const stalled = net.connect(Number(port), "127.0.0.1");
  stalled.on("error", () => {});
  const hungUp = new Promise((resolve) => stalled.once("close", resolve));
  await new Promise((resolve) => stalled.once("connect", resolve));
  // Promises 500 bytes of body and sends 10.
  stalled.write('POST /api/boards/default/circles HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"x": 1, ');
  await sleep(100);

  const signalled = performance.now();
  expect(await running.stop("SIGTERM")).toBe(0);
  running = undefined;
  expect(performance.now() - signalled).toBeLessThan(10_000);
  await hungUp;
});
