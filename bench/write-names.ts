/* eslint-disable no-console */
/**
 * What checking an add's name costs (see `Once`): acknowledged adds per
 * second with names (as the server makes every add: `circleName`) and
 * without (`checkNames: false`, guarded by the UNIQUE (board, id) of circles
 * alone), at 1, 10 and 200 concurrent writers, cap 1000, on SqliteStore and
 * PostgresStore. Each pair runs three times, the two taking turns in short
 * slices, so that the disk's and the machine's spells of slowness weigh on
 * both alike; the median of the three ratios is judged. PostgreSQL:
 * DATABASE_URL (its boards deleted after), else a database of its own on
 * 127.0.0.1:5432 (trust authentication), dropped after.
 * Run: npx tsx bench/write-names.ts
 */
import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { circleName } from "../lib/board/named-writes.js";
import type { Circle } from "../lib/protocol/events.js";
import type { BoardStore } from "../lib/store/board-store.js";
import { PostgresStore } from "../lib/store/postgres-store.js";
import { SqliteStore } from "../lib/store/sqlite-store.js";
import { busyMachineWarning, percentile } from "./support/stats.js";

/** Named adds may be at most this much slower than unnamed ones: the check must stay cheap. */
const RATIO_TARGET = 0.9;
const ROUNDS = 3;
/** Each run gives each store this many slices of this long, taking turns. */
const SLICES = 4;
const SLICE_MS = 500;
const WRITER_COUNTS = [1, 10, 200];
/** The server's cap: once a board is full, every add also drops its oldest circle. */
const MAX_CIRCLES = 1_000;
const LOCAL_POSTGRES = "127.0.0.1:5432";

const tenth = (n: number) => Math.round(n * 10) / 10;

/** A circle as the page makes one (public/client/board/circle-factory.ts): where it was, to a tenth; a whole diameter. */
function circle(): Circle {
  return {
    id: randomUUID(),
    initials: "AB",
    x: tenth(Math.random() * 1920),
    y: tenth(Math.random() * 1080),
    dia: Math.round(20 + Math.random() * 100),
    rgba: `rgba(${Math.floor(Math.random() * 256)}, ${Math.floor(Math.random() * 256)}, ${Math.floor(Math.random() * 256)}, 0.8)`,
    createdAt: Date.now(),
  };
}

/** The two stores compared: the same kind, one checking names, one not; and the boards written on each. */
interface Pair {
  named: BoardStore;
  unnamed: BoardStore;
  boards: { store: BoardStore; board: string }[];
}

type Add = (board: string) => Promise<unknown>;
type Which = "named" | "unnamed";
const WHICH: readonly Which[] = ["named", "unnamed"];

const adders = ({ named, unnamed }: Pair): Record<Which, Add> => ({
  named: (board) => {
    const c = circle();
    return named.add(board, c, MAX_CIRCLES, {}, circleName(c.id, c));
  },
  unnamed: (board) => unnamed.add(board, circle(), MAX_CIRCLES),
});

let boards = 0;

/** A board of its own, filled to the cap first, so that every timed add also drops a circle, as on a busy board. */
async function fullBoard(pair: Pair, which: Which): Promise<string> {
  const board = `bench-names-${process.pid}-${++boards}`;
  pair.boards.push({ store: pair[which], board });
  const add = adders(pair)[which];
  await Promise.all(Array.from({ length: MAX_CIRCLES }, () => add(board)));
  return board;
}

/** Acknowledged adds of `writers` for `SLICE_MS`, each adding and awaiting the answer until time is up; and the time they took. */
async function slice(add: Add, board: string, writers: number): Promise<{ acknowledged: number; ms: number }> {
  const start = performance.now();
  const deadline = start + SLICE_MS;
  let acknowledged = 0;
  const writer = async () => {
    while (performance.now() < deadline) {
      await add(board);
      acknowledged++;
    }
  };
  await Promise.all(Array.from({ length: writers }, writer));
  return { acknowledged, ms: performance.now() - start };
}

/**
 * One run of a pair: adds per second of each store, in slices that take
 * turns (ABBA), so that the machine's spells of slowness (a slow fsync, a
 * busy neighbour) weigh on both alike.
 */
async function run(pair: Pair, writers: number, round: number): Promise<Record<Which, number>> {
  const add = adders(pair);
  const board = { named: await fullBoard(pair, "named"), unnamed: await fullBoard(pair, "unnamed") };
  const total = { named: { acknowledged: 0, ms: 0 }, unnamed: { acknowledged: 0, ms: 0 } };
  for (let i = 0; i < SLICES; i++) {
    for (const which of (round + i) % 2 === 0 ? WHICH : [...WHICH].reverse()) {
      const { acknowledged, ms } = await slice(add[which], board[which], writers);
      total[which].acknowledged += acknowledged;
      total[which].ms += ms;
    }
  }
  const perSecond = (which: Which) => total[which].acknowledged / (total[which].ms / 1000);
  return { named: perSecond("named"), unnamed: perSecond("unnamed") };
}

const fixed = (n: number, digits = 0) => n.toFixed(digits).padStart(9);

/** Runs every pair of one store kind and prints its verdicts; false if any target failed. */
async function compare(kind: string, pair: Pair): Promise<boolean> {
  console.log(`${kind}, ${(SLICES * SLICE_MS) / 1000} s per store and run, in ${SLICES} slices taking turns, cap ${MAX_CIRCLES}`);
  console.log("  writers  round    named/s  unnamed/s      ratio");
  const verdicts: string[] = [];
  let passed = true;
  for (const writers of WRITER_COUNTS) {
    const ratios: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const { named, unnamed } = await run(pair, writers, round);
      ratios.push(named / unnamed);
      console.log(`${fixed(writers)}  ${fixed(round)}  ${fixed(named)}  ${fixed(unnamed)}  ${fixed(named / unnamed, 2)}`);
    }
    const median = percentile(
      [...ratios].sort((a, b) => a - b),
      50,
    );
    const ok = median >= RATIO_TARGET;
    passed &&= ok;
    verdicts.push(
      `${ok ? "PASS" : "FAIL"}  ${kind}, ${writers} writer${writers === 1 ? "" : "s"}: named adds ${median.toFixed(2)}× unnamed ` +
        `(target ≥ ${RATIO_TARGET.toFixed(2)}; median of ${ROUNDS})`,
    );
  }
  for (const line of verdicts) console.log(line);
  return passed;
}

async function closeAll(pair: Partial<Pair>): Promise<void> {
  await Promise.all([pair.named?.close(), pair.unnamed?.close()]);
}

async function sqlite(): Promise<boolean> {
  const dirs = await Promise.all([0, 1].map(() => fs.mkdtemp(path.join(os.tmpdir(), "circles-bench-names-"))));
  const pair: Partial<Pair> = { boards: [] };
  try {
    pair.named = await SqliteStore.open({ dataDir: dirs[0] as string });
    pair.unnamed = await SqliteStore.open({ dataDir: dirs[1] as string, checkNames: false });
    return await compare("SQLite", pair as Pair);
  } finally {
    await closeAll(pair);
    await Promise.all(dirs.map((dir) => fs.rm(dir, { recursive: true, force: true })));
  }
}

/** A database of this run's own on the local server, and how to drop it. */
async function ownDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `circles_bench_${randomBytes(6).toString("hex")}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: `postgres://postgres@${LOCAL_POSTGRES}/postgres`, connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  return { url: `postgres://postgres@${LOCAL_POSTGRES}/${name}`, drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

async function postgres(): Promise<boolean> {
  let database: { url: string; drop?: () => Promise<void> };
  try {
    database = process.env.DATABASE_URL ? { url: process.env.DATABASE_URL } : await ownDatabase();
  } catch (error) {
    console.log(
      `FAIL  PostgreSQL: no database to measure in: set DATABASE_URL, or run PostgreSQL on ${LOCAL_POSTGRES} trusting user postgres ` +
        `(${error instanceof Error ? error.message || error.name : String(error)})`,
    );
    return false;
  }
  const pair: Partial<Pair> = { boards: [] };
  try {
    pair.named = await PostgresStore.open({ databaseUrl: database.url });
    pair.unnamed = await PostgresStore.open({ databaseUrl: database.url, checkNames: false });
    return await compare("PostgreSQL", pair as Pair);
  } finally {
    // In someone's DATABASE_URL, leave nothing behind.
    if (database.drop === undefined) await Promise.all((pair.boards ?? []).map(({ store, board }) => store.deleteBoard(board, { admin: true })));
    await closeAll(pair);
    await database.drop?.();
  }
}

const results = [await sqlite()];
console.log("");
results.push(await postgres());
const warning = busyMachineWarning();
if (warning) console.log(warning);
if (results.includes(false)) process.exitCode = 1;
