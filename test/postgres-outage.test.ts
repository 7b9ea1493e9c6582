/**
 * Two real server processes sharing the machine's Redis (a key prefix of the
 * test's own) and PostgreSQL (a database of its own), each reaching it
 * through a TCP proxy of its own that the test can cut, since the machine's
 * PostgreSQL must not be stopped. Mid-burst, with clients writing on both
 * nodes, PostgreSQL goes away, refusing connections (as when it is down) or
 * answering nothing (as when a cable is pulled), at any moment or while both
 * nodes have a transaction under way, for both nodes or for one, and comes
 * back: every write is answered in bounded time, those made on a node cut
 * off are refused with a reason, its `/readyz` names the store, a node still
 * connected keeps taking writes, no acknowledged circle is lost, and
 * afterwards both nodes take writes again and their clients hold the same
 * board as the database, without a restart.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Ack, BoardEvent, BoardSnapshot, Circle, CircleInput } from "../lib/protocol/events.js";
import { createTestDatabase, dropTestDatabases } from "./support/postgres.js";
import { REDIS_URL, removeRedisKeys, testRedisPrefix } from "./support/redis.js";
import { startServerProcess, type ServerProcess } from "./support/server-process.js";
import { startTcpProxy, type TcpProxy } from "./support/tcp-proxy.js";
import { connectClient, type TestClient } from "./support/test-server.js";

const circle: CircleInput = { initials: "PG", x: 10, y: 20, dia: 30, rgba: "rgba(1, 2, 3, 0.5)" };
/** Each writer's pace: a write every this many ms, without waiting for the previous answer. */
const WRITE_EVERY_MS = 10;
/**
 * The longest a write may wait for its answer: one unanswered query (10 s,
 * the store's query timeout) and, for the writes queued behind it, one
 * connection attempt (5 s), with room for a busy machine.
 */
const ANSWER_WITHIN_MS = 20_000;
const REFUSED = "the circle could not be saved";

const prefix = testRedisPrefix();
let databaseUrl: string;
const proxies: TcpProxy[] = [];
const nodes: ServerProcess[] = [];
const clients: TestClient[] = [];

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  const direct = new URL(databaseUrl);
  // One after the other: the first creates the schema.
  for (let n = 0; n < 2; n++) {
    const proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port) });
    proxies.push(proxy);
    const proxied = new URL(databaseUrl);
    proxied.port = String(proxy.port);
    const env = { DATABASE_URL: proxied.toString(), REDIS_URL, REDIS_PREFIX: prefix, RATE_LIMIT_PER_SECOND: "1000", RATE_LIMIT_BURST: "2000" };
    nodes.push(await startServerProcess({ env }));
  }
}, 60_000);

afterAll(async () => {
  for (const socket of clients) socket.disconnect();
  await Promise.all(nodes.map((node) => node.stop("SIGTERM")));
  await Promise.all(proxies.map((proxy) => proxy.close()));
  await dropTestDatabases();
  await removeRedisKeys(prefix);
}, 60_000);

/** The ids of the board's circles, oldest first, read from the database directly, not through the proxy. */
async function storedIds(board: string): Promise<string[]> {
  const db = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  await db.connect();
  try {
    const { rows } = await db.query<{ id: string }>("SELECT id FROM circles WHERE board = $1 ORDER BY seq", [board]);
    return rows.map((row) => row.id);
  } finally {
    await db.end();
  }
}

/** The board a client holds, from everything it received: lesson events, or protocol 2's snapshots and ticks. */
function heldBoard(socket: TestClient): string[] {
  const circles = new Map<string, Circle>();
  for (const { event, args } of socket.received) {
    const [payload] = args as [unknown];
    if (event === "board-snapshot") {
      circles.clear();
      for (const c of (payload as BoardSnapshot).circles) circles.set(c.id, c);
    } else if (event === "add-circle") {
      circles.set((payload as Circle).id, payload as Circle);
    } else if (event === "remove-circle") {
      circles.delete((payload as { id: string }).id);
    } else if (event === "clear-circles") {
      circles.clear();
    } else if (event === "board-events") {
      for (const change of (payload as { events: BoardEvent[] }).events) {
        if (change.type === "add") circles.set(change.circle.id, change.circle);
        else if (change.type === "remove") circles.delete(change.id);
        else circles.clear();
      }
    }
  }
  return [...circles.keys()];
}

/**
 * Locks the board's row from a connection of the test's own, so that each
 * node's next transaction stops half-way, waiting for it; `release` lets
 * them go on.
 */
async function holdBoard(board: string): Promise<{ waiting(): Promise<number>; release(): Promise<void> }> {
  const db = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  await db.connect();
  await db.query("BEGIN");
  await db.query("SELECT 1 FROM boards WHERE board = $1 FOR UPDATE", [board]);
  return {
    async waiting() {
      const { rows } = await db.query<{ count: string }>(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
      );
      return Number(rows[0]?.count);
    },
    async release() {
      await db.query("COMMIT");
      await db.end();
    },
  };
}

async function readiness(node: ServerProcess): Promise<{ status: number; reason?: string }> {
  const response = await fetch(`${node.url}/readyz`, { signal: AbortSignal.timeout(5_000) });
  const body = (await response.json()) as { reason?: string };
  return { status: response.status, ...(body.reason === undefined ? {} : { reason: body.reason }) };
}

interface Write {
  node: number;
  sentAt: number;
  /** Undefined when no answer came within ANSWER_WITHIN_MS. */
  ack: Ack<{ circle: Circle; seq: number }> | undefined;
}

/** Each writer adds a circle every WRITE_EVERY_MS until `stop`, which resolves once every write has its answer or timed out. */
function burst(writers: TestClient[]) {
  const writes: Write[] = [];
  const pending: Promise<void>[] = [];
  let x = 0;
  const timer = setInterval(() => {
    writers.forEach((writer, node) => {
      const sentAt = Date.now();
      const record = (ack: Write["ack"]) => void writes.push({ node, sentAt, ack });
      pending.push(
        writer
          .timeout(ANSWER_WITHIN_MS)
          .emitWithAck("add-circle", { ...circle, x: x++ % 1920 })
          .then(record, () => record(undefined)),
      );
    });
  }, WRITE_EVERY_MS);
  return {
    writes,
    /** Writes of `node` acknowledged, of those sent after `since`. */
    acked: (node: number, since = 0) => writes.filter((w) => w.node === node && w.sentAt >= since && w.ack?.ok),
    refused: (node: number) => writes.filter((w) => w.node === node && w.ack?.ok === false),
    async stop() {
      clearInterval(timer);
      await Promise.all(pending);
    },
  };
}

async function postCircle(node: ServerProcess, board: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${node.url}/api/boards/${board}/circles`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(circle),
    signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
  });
  return { status: response.status, body: await response.json() };
}

interface Outage {
  how: string;
  cut: "refuse" | "blackhole";
  to: string;
  /** The nodes whose proxy is cut. */
  cutOff: number[];
  underWay: boolean;
  board: string;
}

describe("PostgreSQL unreachable, then back, under two nodes", () => {
  it.each<Outage>([
    { how: "refuses connections", cut: "refuse", to: "both nodes", cutOff: [0, 1], underWay: false, board: "refused" },
    { how: "refuses connections", cut: "refuse", to: "both nodes", cutOff: [0, 1], underWay: true, board: "refused-under-way" },
    { how: "answers nothing", cut: "blackhole", to: "both nodes", cutOff: [0, 1], underWay: true, board: "blackholed" },
    // The node cut off leaves a transaction open, holding its board's row: the other must not wait for it for ever.
    { how: "answers nothing", cut: "blackhole", to: "one node", cutOff: [0], underWay: true, board: "one-blackholed" },
  ])(
    "when it $how to $to mid-burst (transactions under way: $underWay): refused with a reason, /readyz names it, nothing acknowledged lost, both nodes recover",
    async ({ cut, cutOff, underWay, board }) => {
      const writers = await Promise.all(nodes.map((node) => connectClient(node.url, { board })));
      const watchers = await Promise.all(nodes.map((node) => connectClient(node.url, { board, protocol: 2 })));
      clients.push(...writers, ...watchers);
      const reachable = nodes.map((_, n) => n).filter((n) => !cutOff.includes(n));
      const writes = burst(writers);
      try {
        await vi.waitFor(() => nodes.forEach((_, n) => expect(writes.acked(n).length).toBeGreaterThan(10)), 10_000);

        let cutAt = 0;
        const hold = underWay ? await holdBoard(board) : undefined;
        try {
          if (hold) await vi.waitFor(async () => expect(await hold.waiting()).toBe(nodes.length), 5_000);
          for (const n of cutOff) proxies[n]?.[cut]();
          cutAt = Date.now();
        } finally {
          await hold?.release();
        }
        // Every node cut off says the store is what is missing, within a few seconds.
        const notReady = { status: 503, reason: expect.stringMatching(/^store: /) };
        const readinessOf = (which: number[]) => Promise.all(which.map((n) => readiness(nodes[n] as ServerProcess)));
        await vi.waitFor(async () => expect(await readinessOf(cutOff)).toEqual(cutOff.map(() => notReady)), 10_000);
        expect(Date.now() - cutAt).toBeLessThan(5_000);
        // Writes on them are refused, saying why; a REST write too, with 503.
        await vi.waitFor(() => cutOff.forEach((n) => expect(writes.refused(n).length).toBeGreaterThan(0)), ANSWER_WITHIN_MS);
        for (const n of cutOff)
          expect(await postCircle(nodes[n] as ServerProcess, board)).toEqual({ status: 503, body: { error: REFUSED, code: "unavailable" } });
        const answeredDuring = () => writes.writes.filter((w) => cutOff.includes(w.node) && w.sentAt > cutAt && w.ack !== undefined);
        await vi.waitFor(() => expect(answeredDuring().length).toBeGreaterThan(0), ANSWER_WITHIN_MS);
        expect(answeredDuring().filter((w) => w.ack?.ok)).toEqual([]);
        // A node still connected keeps taking writes, and says it is ready.
        await vi.waitFor(() => reachable.forEach((n) => expect(writes.acked(n, cutAt).length).toBeGreaterThan(10)), 10_000);
        await vi.waitFor(async () => expect(await readinessOf(reachable)).toEqual(reachable.map(() => ({ status: 200 }))), 10_000);

        for (const n of cutOff) proxies[n]?.restore();
        const restoredAt = Date.now();
        await vi.waitFor(async () => expect(await readinessOf(nodes.map((_, n) => n))).toEqual(nodes.map(() => ({ status: 200 }))), 10_000);
        // Both nodes take writes again, without a restart.
        await vi.waitFor(() => nodes.forEach((_, n) => expect(writes.acked(n, restoredAt).length).toBeGreaterThan(10)), 10_000);
      } finally {
        await writes.stop();
      }

      // Every write had an answer in time, and every refusal says why.
      expect(writes.writes.filter((w) => w.ack === undefined)).toEqual([]);
      expect(new Set(writes.writes.flatMap((w) => (w.ack?.ok === false ? [w.ack.error] : [])))).toEqual(new Set([REFUSED]));
      // Nothing acknowledged is lost: the database, read directly, holds every acknowledged circle.
      const ackedIds = writes.writes.flatMap((w) => (w.ack?.ok ? [w.ack.circle.id] : []));
      const stored = await storedIds(board);
      const kept = new Set(stored);
      expect(ackedIds.filter((id) => !kept.has(id))).toEqual([]);
      // Both nodes' clients, of either protocol, end with the database's board.
      for (const socket of [...writers, ...watchers]) await vi.waitFor(() => expect(heldBoard(socket)).toEqual(stored), 10_000);
    },
    90_000,
  );
});
