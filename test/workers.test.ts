/**
 * WEB_CONCURRENCY: one server process of several workers (node:cluster),
 * sharing the machine's PostgreSQL (a database of the test's own) and Redis
 * (a key prefix of its own), with long-polling sessions kept on their
 * worker; and a single worker, said once, when they could not share.
 * Needs `npm run build`.
 */
import { afterAll, expect, it, vi } from "vitest";
import type { CircleInput } from "../lib/protocol/events.js";
import { createTestDatabase, dropTestDatabases } from "./support/postgres.js";
import { REDIS_URL, removeRedisKeys, testRedisPrefix } from "./support/redis.js";
import { startServerProcess, type ServerProcess } from "./support/server-process.js";
import { connectClient, type TestClient } from "./support/test-server.js";

const prefix = testRedisPrefix();
const circle: CircleInput = { initials: "AB", x: 10, y: 20, dia: 30, rgba: "#abc" };
const running: ServerProcess[] = [];
const clients: TestClient[] = [];

afterAll(async () => {
  for (const socket of clients) socket.disconnect();
  await Promise.all(running.map((server) => server.stop("SIGKILL")));
  await dropTestDatabases();
  await removeRedisKeys(prefix);
});

it("runs WEB_CONCURRENCY workers behind one port that share boards and players, polling included, and stops them all", async () => {
  const server = await startServerProcess({
    env: { WEB_CONCURRENCY: "2", DATABASE_URL: await createTestDatabase(), REDIS_URL, REDIS_PREFIX: prefix },
    timeoutMs: 30_000,
  });
  running.push(server);
  for (const transports of [["polling"], ["websocket"], ["polling"], ["websocket"]] as const) {
    clients.push(await connectClient(server.url, { board: "workers", transports: [...transports] }));
  }
  // The connections went to both workers.
  const connectedOn = () => new Set([...server.output().matchAll(/"worker":(\d+),[^\n]*"msg":"connected"/g)].map((m) => m[1]));
  expect(connectedOn()).toEqual(new Set(["1", "2"]));

  const [first, ...others] = clients as [TestClient, ...TestClient[]];
  await first.emitWithAck("register-player", "PL");
  expect(await first.emitWithAck("add-circle", circle)).toMatchObject({ ok: true, seq: 1 });
  for (const socket of others) {
    await vi.waitFor(() => expect(socket.received.filter((e) => e.event === "add-circle")).toHaveLength(1));
    await vi.waitFor(() => expect(socket.received.filter((e) => e.event === "update-player-list").at(-1)?.args[0]).toEqual(["PL"]));
  }

  expect(await server.stop("SIGTERM")).toBe(0);
  expect(server.output().match(/"msg":"stopped"/g)).toHaveLength(3);
}, 60_000);

it("runs one worker, and says why once, when the workers could not share boards", async () => {
  const server = await startServerProcess({ env: { WEB_CONCURRENCY: "4", STORE: "memory" } });
  running.push(server);
  const socket = await connectClient(server.url);
  clients.push(socket);
  expect(await socket.emitWithAck("add-circle", circle)).toMatchObject({ ok: true });
  expect(server.output().match(/WEB_CONCURRENCY=4 asks for 4 workers/g)).toHaveLength(1);
  expect(server.output()).toContain("(DATABASE_URL and REDIS_URL are not set): running one");
  expect(server.output()).not.toContain("worker ready");
});
