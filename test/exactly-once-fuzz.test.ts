/**
 * Exactly-once writes in a seeded storm. Four simulated clients (a
 * `protocol=2` page and a lesson client on each of two real nodes, on
 * PostgreSQL and Redis), each behind a TCP proxy of its own, add circles
 * by ids they make and now and then clear by an op, while their answers are
 * dropped, their connections reset, writes without an answer sent again
 * from any client, nodes cut off from Redis for a while, and nodes killed
 * (SIGKILL) and started again on new ports. Each write ends the storm
 * acknowledged, refused or unanswered; every client must then come to see
 * the store's board, and every unanswered write is sent again until
 * answered, which tells the seq of everything that took effect. Checked:
 * no refusal but "try later" (no conflict for a resend); every retry
 * answered as the first; the board's seqs exactly those of the answers (no
 * write applied twice, none lost, no refused one stored); the store's
 * circles, when the storm ended and at the end, what those changes add up
 * to; and every client of every node seeing the store's circles, none twice.
 *
 * Each run follows the plan its seed draws, and its test is named by it:
 *   FUZZ_SEED=<seed> FUZZ_RUNS=1 npx vitest run test/exactly-once-fuzz.test.ts
 * replays the steps (when answers arrive is the machine's, so not always
 * the outcome). FUZZ_RUNS=<n> runs n seeds from FUZZ_SEED (random unless
 * set). A seed that found a real bug goes in REGRESSION_SEEDS, which always
 * run. Run `npm run build` first: the nodes are the compiled server.
 */
import { randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Ack, Circle, CircleRequest } from "../lib/protocol/events.js";
import { BOARD_HEIGHT, BOARD_WIDTH, RETRY_LATER_CODES } from "../lib/protocol/rules.js";
import { createTestDatabase, dropTestDatabases } from "./support/postgres.js";
import { REDIS_URL, removeRedisKeys, testRedisPrefix } from "./support/redis.js";
import { startServerProcess, type ServerProcess } from "./support/server-process.js";
import { seenBoard, type SeenBoard } from "./support/seen-board.js";
import { startTcpProxy, type TcpProxy } from "./support/tcp-proxy.js";
import { connectClient, type TestClient } from "./support/test-server.js";

// ---------------------------------------------------------------------------
// Settings

/** Seeds that once found a real bug: they run every time. */
const REGRESSION_SEEDS: number[] = [
  // Node 0, cut off from Redis, stored the board's last changes and was killed before it could announce
  // them: node 1 never read them, though it answered their retries with their seqs. Now a node that
  // starts has the others read their boards, and a retry answered with a seq ahead of the live copy reads it.
  19895,
];
const RUNS = Number(process.env["FUZZ_RUNS"] ?? 3);
const FIRST_SEED = Number(process.env["FUZZ_SEED"] ?? Math.floor(Math.random() * 2 ** 31));
const STEPS = 80;
/** Two per node: slot 2n is node n's `protocol=2` page, 2n + 1 its lesson client. */
const CLIENTS = 4;
const MAX_PAUSE_MS = 30;
/** Past this an answer counts as lost: the write is unanswered. */
const ACK_TIMEOUT_MS = 1_000;
const CONNECT_TIMEOUT_MS = 5_000;
/** Each kill costs a node's start (a second or two): a run kills at most this many. */
const MAX_KILLS = 2;
/** Sends of every unanswered write after the storm, a pause apart, before it counts as never answered. */
const RESOLVE_ROUNDS = 10;
/** How long every client may take to see the store's board: a node that missed changes catches up once it sees a gap or has Redis back. */
const CONVERGE_MS = 10_000;
const RUN_TIMEOUT_MS = 45_000;

// ---------------------------------------------------------------------------
// The plan: what each step does, drawn from the run's seed

type Step =
  | { kind: "add"; slot: number; x: number; y: number }
  /** `pick` chooses among the writes without an answer (all writes when every one has one). */
  | { kind: "resend"; slot: number; pick: number }
  | { kind: "clear"; slot: number }
  /** The slot's proxy throws its replies away for `steps` steps, then closes its connection. */
  | { kind: "drop-replies"; slot: number; steps: number }
  | { kind: "reset"; slot: number }
  /** The node's connections to Redis are closed, and new ones refused, for `steps` steps. */
  | { kind: "cut-redis"; node: number; steps: number }
  | { kind: "kill"; node: number };

const slotIndex = fc.nat(CLIENTS - 1);
const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 50, arbitrary: fc.record({ kind: fc.constant("add"), slot: slotIndex, x: fc.nat(BOARD_WIDTH), y: fc.nat(BOARD_HEIGHT) }) },
  { weight: 18, arbitrary: fc.record({ kind: fc.constant("resend"), slot: slotIndex, pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("clear"), slot: slotIndex }) },
  { weight: 7, arbitrary: fc.record({ kind: fc.constant("drop-replies"), slot: slotIndex, steps: fc.integer({ min: 1, max: 12 }) }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("reset"), slot: slotIndex }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("cut-redis"), node: fc.nat(1), steps: fc.integer({ min: 1, max: 20 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("kill"), node: fc.nat(1) }) },
);
const planArbitrary = fc.array(fc.record({ step: stepArbitrary, pauseMs: fc.nat(MAX_PAUSE_MS) }), { minLength: STEPS, maxLength: STEPS });

// ---------------------------------------------------------------------------
// The nodes, and the store as PostgreSQL holds it

let env: Record<string, string> = {};
const nodes: ServerProcess[] = [];
/** Each node reaches Redis through a proxy of its own, to be cut off from it alone. */
const redisProxies: TcpProxy[] = [];
let db: pg.Client | undefined;
const prefix = testRedisPrefix();

/** Node `index`'s settings: the same store, its own way to Redis. */
function envOf(index: number): Record<string, string> {
  const proxy = redisProxies[index];
  if (!proxy) throw new Error(`no Redis proxy for node ${index}`);
  return { ...env, REDIS_URL: `redis://127.0.0.1:${proxy.port}` };
}

beforeAll(async () => {
  const databaseUrl = await createTestDatabase();
  // Rate limits far above what a storm sends: a refusal then says something.
  env = { DATABASE_URL: databaseUrl, REDIS_URL, REDIS_PREFIX: prefix, RATE_LIMIT_PER_SECOND: "1000", RATE_LIMIT_BURST: "2000" };
  const redis = new URL(REDIS_URL);
  for (let i = 0; i < 2; i++) redisProxies.push(await startTcpProxy({ host: redis.hostname, port: Number(redis.port) }));
  // One after the other: the first makes the schema.
  for (let i = 0; i < 2; i++) nodes.push(await startServerProcess({ env: envOf(i) }));
  db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
}, 60_000);

afterAll(async () => {
  await db?.end();
  await Promise.all(nodes.splice(0).map((node) => node.stop("SIGTERM")));
  for (const proxy of redisProxies.splice(0)) await proxy.close();
  await dropTestDatabases();
  await removeRedisKeys(prefix);
}, 60_000);

interface StoredBoard {
  /** The board's last change. */
  seq: number;
  circles: { id: string; seq: number }[];
}

/** The board's seq and circles in one statement, so one snapshot: a write applied later has a later seq. */
async function storedBoard(board: string): Promise<StoredBoard> {
  const { rows } = await db!.query<{ seq: string; circles: StoredBoard["circles"] }>(
    `SELECT b.seq, coalesce((SELECT json_agg(json_build_object('id', c.id, 'seq', c.seq) ORDER BY c.seq) FROM circles c WHERE c.board = b.board), '[]') AS circles
     FROM boards b WHERE b.board = $1`,
    [board],
  );
  const row = rows[0];
  return row ? { seq: Number(row.seq), circles: row.circles } : { seq: 0, circles: [] };
}

// ---------------------------------------------------------------------------
// Writes and clients

type Answer = Ack<{ seq: number; circle?: Circle }>;
type Accepted = Answer & { ok: true };

interface Write {
  kind: "add" | "clear";
  /** The circle's id, or the clear's op. */
  name: string;
  circle?: CircleRequest;
  /** Every answer, in the order they came. */
  answers: Answer[];
  /** Sends that got no answer: timed out, or their connection ended first. */
  lost: number;
}

const acceptedOf = (write: Write) => write.answers.find((answer): answer is Accepted => answer.ok);
/** Neither accepted nor refused by every answer: it may or may not have taken effect. */
const unanswered = (write: Write) => acceptedOf(write) === undefined && (write.lost > 0 || write.answers.length === 0);

/** One send of the write; resolves once it is answered or counted lost. */
function send(write: Write, socket: TestClient): Promise<void> {
  const timed = socket.timeout(ACK_TIMEOUT_MS);
  const answer: Promise<Answer> = write.circle
    ? timed.emitWithAck("add-circle", write.circle)
    : timed.emitWithAck("clear-circles", { op: write.name });
  return answer.then(
    (ack) => void write.answers.push(ack),
    () => void write.lost++,
  );
}

interface Slot {
  node: number;
  lesson: boolean;
  proxy: TcpProxy | undefined;
  socket: TestClient | undefined;
  /** Every connection it made, oldest first. */
  connections: TestClient[];
  /** The step at which its proxy stops dropping replies; undefined while it passes them. */
  dropUntil: number | undefined;
}

/**
 * What the slot's user sees: a page (`protocol=2`) keeps its board across
 * connections and resumes from its seq; the lesson's client starts again
 * from each connection's snapshot.
 */
function seenBy(slot: Slot): SeenBoard {
  const received = slot.lesson ? (slot.socket?.received ?? []) : slot.connections.flatMap((socket) => socket.received);
  return seenBoard({ received } as TestClient);
}

/** Every circle a connection was given while it already had it, as its user saw them. */
function doubledBy(slot: Slot): string[] {
  return slot.lesson ? slot.connections.flatMap((socket) => seenBoard(socket).doubled) : seenBy(slot).doubled;
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Resolves once the socket has seen its connection end. */
function ended(socket: TestClient): Promise<void> {
  if (socket.disconnected) return Promise.resolve();
  return within(new Promise<void>((resolve) => socket.once("disconnect", () => resolve())), CONNECT_TIMEOUT_MS, "a cut connection's end");
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------
// A run

let boardsMade = 0;

async function storm(seed: number): Promise<void> {
  const plan = fc.sample(planArbitrary, { seed, numRuns: 1 })[0] ?? [];
  const board = `fuzz-${++boardsMade}-${seed >>> 0}`;
  const slots: Slot[] = Array.from({ length: CLIENTS }, (_, i) => ({
    node: Math.floor(i / 2),
    lesson: i % 2 === 1,
    proxy: undefined,
    socket: undefined,
    connections: [],
    dropUntil: undefined,
  }));
  /** Per node: the step at which its cut from Redis ends; undefined while it has Redis. */
  const redisCutUntil: (number | undefined)[] = [undefined, undefined];
  const writes: Write[] = [];
  const sending = new Set<Promise<void>>();
  /** The nodes being restarted now, and every restart, to be awaited (and its failure seen) after the storm. */
  const restarting = new Map<number, Promise<void>>();
  const restarts: Promise<void>[] = [];
  let kills = 0;
  let redisCuts = 0;

  const connect = async (slot: Slot) => {
    const node = nodes[slot.node];
    if (!node) throw new Error(`no node ${slot.node}`);
    slot.proxy ??= await startTcpProxy({ host: "127.0.0.1", port: Number(new URL(node.url).port) });
    const since = slot.lesson || slot.connections.length === 0 ? undefined : seenBy(slot).seq;
    const options = slot.lesson ? { board } : { board, protocol: 2 as const, since };
    slot.socket = await within(connectClient(`http://127.0.0.1:${slot.proxy.port}`, options), CONNECT_TIMEOUT_MS, `connecting to node ${slot.node}`);
    slot.connections.push(slot.socket);
  };

  /** The first slot from `index` on with a connection; writes through a proxy dropping replies go too, and go unanswered. */
  const connectedFrom = (index: number) => {
    for (let i = 0; i < CLIENTS; i++) {
      const slot = slots[(index + i) % CLIENTS];
      if (slot?.socket?.connected) return slot.socket;
    }
    return undefined;
  };

  const sendFrom = (write: Write, socket: TestClient) => {
    const sent = send(write, socket).finally(() => sending.delete(sent));
    sending.add(sent);
  };

  const reconnectRedis = (node: number) => {
    redisCutUntil[node] = undefined;
    redisProxies[node]?.restore();
  };

  /**
   * Ends the cuts from Redis and the dropped replies whose time is up, and
   * reconnects every slot without a connection, but on a node being restarted.
   */
  const heal = async (step: number) => {
    redisCutUntil.forEach((until, node) => {
      if (until !== undefined && step >= until && !restarting.has(node)) reconnectRedis(node);
    });
    for (const slot of slots) {
      if (restarting.has(slot.node)) continue;
      if (slot.dropUntil !== undefined && step >= slot.dropUntil) {
        slot.dropUntil = undefined;
        // Closes the connections that lost replies, as a page's would time out.
        slot.proxy?.restore();
        if (slot.socket) await ended(slot.socket);
      }
      if (slot.dropUntil === undefined && !slot.socket?.connected) await connect(slot);
    }
  };

  /** Every client of every node, of both protocols, sees what the store holds. */
  const converged = (when: string) =>
    vi.waitFor(
      async () => {
        const ids = (await storedBoard(board)).circles.map((circle) => circle.id);
        for (const [i, slot] of slots.entries()) {
          expect(slot.socket?.connected, `client ${i} connected ${when}`).toBe(true);
          expect(seenBy(slot).ids, `what client ${i} (node ${slot.node}, ${slot.lesson ? "lesson" : "protocol 2"}) sees ${when}`).toEqual(ids);
        }
      },
      { timeout: CONVERGE_MS, interval: 100 },
    );

  /** SIGKILL, then the node again on a new port; its clients come back through new proxies. */
  const restart = async (index: number) => {
    const mine = slots.filter((slot) => slot.node === index);
    await nodes[index]?.stop("SIGKILL");
    // After the kill: what it had for the other nodes and could not send dies with it.
    reconnectRedis(index);
    for (const slot of mine) {
      await slot.proxy?.close();
      slot.proxy = undefined;
      slot.dropUntil = undefined;
    }
    nodes[index] = await startServerProcess({ env: envOf(index) });
    for (const slot of mine) await connect(slot);
  };

  try {
    for (const [i, { step, pauseMs }] of plan.entries()) {
      await heal(i);
      switch (step.kind) {
        case "add":
        case "clear": {
          const socket = connectedFrom(step.slot);
          if (!socket) break;
          const id = randomUUID();
          const write: Write =
            step.kind === "add"
              ? {
                  kind: "add",
                  name: id,
                  circle: { id, initials: "FZ", x: step.x, y: step.y, dia: 40, rgba: "rgba(200, 40, 40, 0.6)" },
                  answers: [],
                  lost: 0,
                }
              : { kind: "clear", name: id, answers: [], lost: 0 };
          writes.push(write);
          sendFrom(write, socket);
          break;
        }
        case "resend": {
          const open = writes.filter((write) => acceptedOf(write) === undefined);
          const among = open.length > 0 ? open : writes;
          const write = among[step.pick % Math.max(among.length, 1)];
          const socket = connectedFrom(step.slot);
          if (write && socket) sendFrom(write, socket);
          break;
        }
        case "drop-replies": {
          const slot = slots[step.slot];
          if (!slot?.proxy || slot.dropUntil !== undefined || restarting.has(slot.node)) break;
          slot.proxy.dropReplies();
          slot.dropUntil = i + step.steps;
          break;
        }
        case "reset": {
          const slot = slots[step.slot];
          // A connection made while replies are dropped would never get its snapshot: resets wait for the drop's end.
          if (!slot?.proxy || !slot.socket || slot.dropUntil !== undefined || restarting.has(slot.node)) break;
          slot.proxy.reset();
          await ended(slot.socket);
          await connect(slot);
          break;
        }
        case "cut-redis": {
          if (redisCutUntil[step.node] !== undefined || restarting.has(step.node)) break;
          redisProxies[step.node]?.refuse();
          redisCuts++;
          redisCutUntil[step.node] = i + step.steps;
          break;
        }
        case "kill": {
          if (restarting.has(step.node) || kills >= MAX_KILLS) break;
          kills++;
          const restarted = restart(step.node).finally(() => restarting.delete(step.node));
          // Awaited after the storm; until then a failure must not count as unhandled.
          restarted.catch(() => undefined);
          restarting.set(step.node, restarted);
          restarts.push(restarted);
          break;
        }
      }
      await delay(pauseMs);
    }

    // The storm is over: every node up, every proxy passing replies, every send answered or lost.
    await Promise.all(restarts);
    await heal(Infinity);
    await Promise.all([...sending]);
    const tally = {
      acknowledged: writes.filter((write) => acceptedOf(write)).length,
      unanswered: writes.filter(unanswered).length,
      refused: writes.filter((write) => !acceptedOf(write) && !unanswered(write)).length,
      codes: countCodes(writes),
      kills,
      redisCuts,
    };
    const context = `seed ${seed}, board ${board}, after the storm ${JSON.stringify(tally)}`;
    const atStormEnd = await storedBoard(board);
    // At rest, with no later change to show a node what it missed.
    await converged(`when the storm ended: ${context}`);

    for (let round = 0; round < RESOLVE_ROUNDS && writes.some(unanswered); round++) {
      if (round > 0) await delay(200);
      await heal(Infinity);
      await Promise.all(
        writes.filter(unanswered).map((write, i) => {
          const socket = connectedFrom(i % CLIENTS);
          if (!socket) throw new Error(`no client connected: ${context}`);
          return send(write, socket);
        }),
      );
    }

    const refusedForGood = writes.flatMap((write) =>
      write.answers.flatMap((answer) =>
        answer.ok || RETRY_LATER_CODES.includes(answer.code) ? [] : [{ write: write.name, kind: write.kind, answer }],
      ),
    );
    expect(refusedForGood, `refusals that are not "try later" (never a conflict for a resend of the same write): ${context}`).toEqual([]);
    expect(
      writes.filter(unanswered).map((write) => write.name),
      `writes never answered: ${context}`,
    ).toEqual([]);

    // Every retry of an acknowledged write was answered as the first, with the write that was sent.
    const answeredOtherwise = writes.flatMap((write) => {
      const accepted = write.answers.filter((answer) => answer.ok);
      const first = accepted[0];
      if (!first) return [];
      const wrong = accepted.some((answer) => !isDeepStrictEqual(answer, first)) || (write.circle && !sameCircle(first.circle, write.circle));
      return wrong ? [{ write: write.name, sent: write.circle, answers: accepted }] : [];
    });
    expect(answeredOtherwise, `retries answered otherwise than the first: ${context}`).toEqual([]);

    // Every change the board took is one of these writes' answers, each once: none twice, none unaccounted for.
    const changes = writes
      .flatMap((write) => {
        const accepted = acceptedOf(write);
        return accepted ? [{ seq: accepted.seq, kind: write.kind, name: write.name }] : [];
      })
      .sort((a, b) => a.seq - b.seq);
    const final = await storedBoard(board);
    expect(
      changes.map((change) => change.seq),
      `the board's seqs and the acknowledged writes': ${context}`,
    ).toEqual(Array.from({ length: final.seq }, (_, i) => i + 1));
    const boardAt = (seq: number) => {
      let circles: StoredBoard["circles"] = [];
      for (const change of changes) {
        if (change.seq > seq) break;
        circles = change.kind === "clear" ? [] : [...circles, { id: change.name, seq: change.seq }];
      }
      return circles;
    };
    expect(atStormEnd.circles, `the store when the storm ended (seq ${atStormEnd.seq}): ${context}`).toEqual(boardAt(atStormEnd.seq));
    expect(final.circles, `the store at the end: ${context}`).toEqual(boardAt(final.seq));

    await converged(`at the end: ${context}`);
    for (const [i, slot] of slots.entries()) expect(doubledBy(slot), `circles client ${i} was given twice: ${context}`).toEqual([]);
  } finally {
    await Promise.allSettled(restarts);
    redisCutUntil.forEach((_, node) => reconnectRedis(node));
    for (const slot of slots) {
      slot.socket?.disconnect();
      await slot.proxy?.close();
    }
  }
}

/** How many refusals of each code the writes got. */
function countCodes(writes: Write[]): Record<string, number> {
  const codes: Record<string, number> = {};
  for (const write of writes) for (const answer of write.answers) if (!answer.ok) codes[answer.code] = (codes[answer.code] ?? 0) + 1;
  return codes;
}

/** The stored circle is the one sent (the server adds only its time). */
function sameCircle(stored: Circle | undefined, sent: CircleRequest): boolean {
  return stored !== undefined && (["id", "initials", "x", "y", "dia", "rgba"] as const).every((field) => stored[field] === sent[field]);
}

describe("exactly-once writes through lost answers, resets and killed nodes", () => {
  for (const seed of REGRESSION_SEEDS) it(`regression seed ${seed}`, () => storm(seed), RUN_TIMEOUT_MS);
  for (let run = 0; run < RUNS; run++) it(`seed ${FIRST_SEED + run}`, () => storm(FIRST_SEED + run), RUN_TIMEOUT_MS);
});
