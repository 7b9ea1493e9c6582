/**
 * `rediss://` as Heroku's Key-Value Store offers it: TLS with a self-signed
 * certificate. Two real server processes reach each other through a Redis
 * of the test's own that speaks only TLS: circles, players and chat cross,
 * and /readyz says Redis is fine.
 */
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { createTestDatabase, dropTestDatabases } from "./support/postgres.js";
import { privateRedis, type PrivateRedis } from "./support/private-redis.js";
import { startNodes, type ServerProcess } from "./support/server-process.js";
import { connectClient, type TestClient } from "./support/test-server.js";

let redis: PrivateRedis;
const nodes: ServerProcess[] = [];
const clients: TestClient[] = [];

beforeAll(async () => {
  redis = await privateRedis({ tls: true });
  await redis.start();
  const env = { DATABASE_URL: await createTestDatabase(), REDIS_URL: redis.url };
  nodes.push(...(await startNodes(2, env)));
}, 60_000);

afterAll(async () => {
  for (const socket of clients) socket.disconnect();
  await Promise.all(nodes.map((node) => node.stop("SIGTERM")));
  await redis?.remove();
  await dropTestDatabases();
}, 60_000);

it("shares a board between two nodes through a Redis that speaks only TLS, with a self-signed certificate", async () => {
  expect(redis.url).toMatch(/^rediss:\/\//);
  const [a, b] = nodes as [ServerProcess, ServerProcess];
  for (const node of nodes) {
    const ready = await fetch(`${node.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready" });
  }
  const onA = await connectClient(a.url, { board: "tls" });
  const onB = await connectClient(b.url, { board: "tls" });
  clients.push(onA, onB);
  await onA.emitWithAck("register-player", "TL");
  const added = await onA.emitWithAck("add-circle", { initials: "TL", x: 5, y: 5, dia: 10, rgba: "#123456" });
  expect(added).toMatchObject({ ok: true });
  await vi.waitFor(() => expect(onB.received.some((e) => e.event === "add-circle")).toBe(true), 5_000);
  await vi.waitFor(() => expect(onB.received.filter((e) => e.event === "update-player-list").at(-1)?.args[0]).toEqual(["TL"]), 5_000);
}, 30_000);
