/* eslint-disable no-console */
/**
 * How many durable (acknowledged) adds per second SqliteStore sustains with
 * group commit, at 1, 10 and 200 concurrent writers, and how long a full
 * board takes to load. Runs on a temp dir, so the figures include real
 * fsyncs of that disk. Run: npx tsx bench/sqlite-store.ts
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import type { Circle } from "../lib/events.js";
import { SqliteStore } from "../lib/store/sqlite-store.js";

const TARGET_PER_SECOND = 200;
const RUN_MS = 3_000;
const WRITER_COUNTS = [1, 10, 200];
/** A realistic cap, so that the eviction path runs once boards fill up. */
const MAX_CIRCLES = 1_000;
const LOAD_BOARD_SIZE = 5_000;
const LOAD_RUNS = 5;

function circle(): Circle {
  return {
    id: randomUUID(),
    initials: "AB",
    x: Math.random() * 1920,
    y: Math.random() * 1080,
    dia: 5 + Math.random() * 95,
    rgba: "rgba(12, 34, 56, 0.7)",
    createdAt: Date.now(),
  };
}

/** Each writer adds, awaits the acknowledgement, and adds again, until time is up. */
async function measureWriters(store: SqliteStore, writers: number) {
  const board = `bench-${writers}`;
  const before = store.stats;
  const start = performance.now();
  const deadline = start + RUN_MS;
  let acknowledged = 0;
  const writer = async () => {
    while (performance.now() < deadline) {
      await store.add(board, circle(), MAX_CIRCLES);
      acknowledged++;
    }
  };
  await Promise.all(Array.from({ length: writers }, writer));
  const seconds = (performance.now() - start) / 1000;
  const transactions = store.stats.transactions - before.transactions;
  return {
    writers,
    perSecond: acknowledged / seconds,
    transactionsPerSecond: transactions / seconds,
    perTransaction: acknowledged / transactions,
  };
}

async function measureLoad(store: SqliteStore): Promise<{ median: number; min: number }> {
  const board = "bench-load";
  await Promise.all(Array.from({ length: LOAD_BOARD_SIZE }, () => store.add(board, circle(), LOAD_BOARD_SIZE)));
  const times: number[] = [];
  for (let i = 0; i < LOAD_RUNS; i++) {
    const start = performance.now();
    const circles = await store.load(board);
    times.push(performance.now() - start);
    if (circles.length !== LOAD_BOARD_SIZE) throw new Error(`loaded ${circles.length} circles`);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)] ?? Number.NaN, min: times[0] ?? Number.NaN };
}

const fixed = (n: number, digits = 0) => n.toFixed(digits).padStart(9);

const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "circles-bench-"));
const store = SqliteStore.open({ dataDir });
try {
  console.log(`SqliteStore on ${dataDir} (WAL, synchronous=FULL), ${RUN_MS / 1000} s per run, cap ${MAX_CIRCLES}`);
  console.log("  writers  circles/s  commits/s  circles/commit");
  const results = [];
  for (const writers of WRITER_COUNTS) {
    const r = await measureWriters(store, writers);
    results.push(r);
    console.log(
      `${fixed(r.writers)}  ${fixed(r.perSecond)}  ${fixed(r.transactionsPerSecond)}  ${fixed(r.perTransaction, 1)}`,
    );
  }
  const load = await measureLoad(store);
  console.log(
    `load of a ${LOAD_BOARD_SIZE}-circle board: median ${load.median.toFixed(1)} ms, best ${load.min.toFixed(1)} ms`,
  );

  const busiest = results.at(-1);
  const passed = busiest !== undefined && busiest.perSecond >= TARGET_PER_SECOND;
  console.log(
    `verdict: ${passed ? "PASS" : "FAIL"}: ${busiest?.writers} concurrent writers got ` +
      `${busiest?.perSecond.toFixed(0)} acknowledged circles/s (target >= ${TARGET_PER_SECOND}/s)`,
  );
  if (!passed) process.exitCode = 1;
} finally {
  await store.close();
  await fs.rm(dataDir, { recursive: true, force: true });
}
