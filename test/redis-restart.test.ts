/**
 * Two real server processes on the machine's PostgreSQL and on a Redis of
 * the test's own (a `redis-server` it starts on a free port, so that it can
 * kill and restart it without touching the machine's): a Redis restart in
 * the middle of a burst loses no acknowledged circle and refuses none (the
 * store orders every write; each node relays its own meanwhile), `/readyz`
 * names Redis while it is down, and afterwards every client on either node
 * has every circle once, and neither node is deaf to the other, nor dead:
 * restarted again and again.
 */
import pg from "pg";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import type { Ack, Circle, CircleInput } from "../lib/protocol/events.js";
import { createTestDatabase, dropTestDatabases } from "./support/postgres.js";
import { startNodes, type ServerProcess } from "./support/server-process.js";
import { connectClient, type TestClient } from "./support/test-server.js";
import { privateRedis, type PrivateRedis } from "./support/private-redis.js";
import { seenBoard } from "./support/seen-board.js";

const circle: CircleInput = { initials: "AB", x: 10, y: 20, dia: 30, rgba: "rgba(1, 2, 3, 0.5)" };
let redis: PrivateRedis;
let databaseUrl: string;
const nodes: ServerProcess[] = [];
const clients: TestClient[] = [];

beforeAll(async () => {
  redis = await privateRedis();
  await redis.start();
  databaseUrl = await createTestDatabase();
  const env = { DATABASE_URL: databaseUrl, REDIS_URL: redis.url, RATE_LIMIT_PER_SECOND: "1000", RATE_LIMIT_BURST: "2000" };
  nodes.push(...(await startNodes(2, env)));
}, 60_000);

afterAll(async () => {
  for (const socket of clients) socket.disconnect();
  await Promise.all(nodes.map((node) => node.stop("SIGTERM")));
  await redis.remove();
  await dropTestDatabases();
}, 60_000);

async function storedIds(board: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>("SELECT id FROM circles WHERE board = $1 ORDER BY seq", [board]);
    return rows.map((row) => row.id);
  } finally {
    await client.end();
  }
}

it("takes every write across Redis restarts mid-burst, loses none, and leaves every client with every circle once, no node deaf or dead", async () => {
  const [a, b] = nodes as [ServerProcess, ServerProcess];
  const writer = await connectClient(a.url, { board: "restart" });
  const watcher = await connectClient(b.url, { board: "restart", protocol: 2 });
  clients.push(writer, watcher);

  const acked: string[] = [];
  const refusals: string[] = [];
  let unanswered = 0;
  let writing = true;
  /** Both nodes write, so both announce changes to the other while Redis goes and comes back. */
  const burst = (socket: TestClient, offset: number) =>
    (async () => {
      for (let i = 0; writing && i < 2_000; i++) {
        try {
          const ack = (await socket.timeout(2_000).emitWithAck("add-circle", { ...circle, x: offset + (i % 900) })) as Ack<{ circle: Circle }>;
          if (ack.ok) acked.push(ack.circle.id);
          else refusals.push(ack.error);
        } catch {
          unanswered++;
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
  const bursts = [burst(writer, 0), burst(watcher, 1_000)];
  await vi.waitFor(() => expect(acked.length).toBeGreaterThan(20), 5_000);
  await redis.kill();
  // While Redis is down both nodes keep drawing, and each says which dependency is missing.
  const downAt = acked.length;
  await vi.waitFor(async () => {
    const ready = await fetch(`${a.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.text()).toMatch(/redis/);
  }, 10_000);
  await vi.waitFor(() => expect(acked.length).toBeGreaterThan(downAt + 20), 10_000);
  await redis.start();
  // Again and again, each time with messages between the nodes under way.
  for (let restart = 0; restart < 4; restart++) {
    const before = acked.length;
    await vi.waitFor(() => expect(acked.length).toBeGreaterThan(before + 10), 10_000);
    await redis.kill();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await redis.start();
  }
  const before = acked.length;
  await vi.waitFor(() => expect(acked.length).toBeGreaterThan(before + 10), 10_000);
  writing = false;
  await Promise.all(bursts);

  for (const node of nodes) expect(node.child.exitCode, node.output().slice(-2_000)).toBeNull();
  expect(refusals).toEqual([]);
  expect(unanswered).toBe(0);
  const stored = await storedIds("restart");
  expect(acked.filter((id) => !stored.includes(id))).toEqual([]);
  // Every client, on either node, has the store's board, each circle once, within seconds of Redis being back.
  for (const client of [writer, watcher]) {
    await vi.waitFor(() => expect(seenBoard(client).ids).toEqual(stored), 10_000);
    expect(seenBoard(client).doubled).toEqual([]);
  }

  // Neither node is deaf afterwards: a new circle on A reaches B, one on B reaches A.
  const after = (await writer.emitWithAck("add-circle", circle)) as Ack<{ circle: Circle; seq: number }>;
  expect(after.ok).toBe(true);
  // A change whose announcement was lost with Redis comes as the whole board (a snapshot), once the node catches up.
  const lastSeq = () =>
    watcher.received
      .flatMap((e) =>
        e.event === "board-events"
          ? (e.args[0] as { events: { seq: number }[] }).events.map((event) => event.seq)
          : e.event === "board-snapshot"
            ? [(e.args[0] as { seq: number }).seq]
            : [],
      )
      .at(-1);
  await vi.waitFor(() => expect(lastSeq()).toBe(after.ok ? after.seq : -1), 10_000);
  const back = (await watcher.emitWithAck("add-circle", circle)) as Ack<{ circle: Circle }>;
  expect(back.ok).toBe(true);
  await vi.waitFor(
    () => expect(writer.received.some((e) => e.event === "add-circle" && back.ok && (e.args[0] as Circle).id === back.circle.id)).toBe(true),
    10_000,
  );
}, 90_000);
