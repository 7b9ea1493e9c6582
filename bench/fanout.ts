/* eslint-disable no-console */
/**
 * The teacher with a class of 200: one board, 200 WebSocket clients, a real
 * server (createCirclesServer over SqliteStore in a temp dir) on 127.0.0.1.
 * Measures (a) how long a circle takes to reach the last of the 200, (b) how
 * many acknowledged circles/s several writers sustain, (c) the server's
 * memory per connected socket and (d) how long a late joiner waits for the
 * snapshot of a 5,000-circle board.
 *
 * The 200 clients of (a), (b) and (d) run in this process, on the server's
 * thread, so every figure also pays for 200 clients' parsing: conservative.
 * For (c) they run in a child process, so that this heap holds only the
 * server's side of each connection.
 *
 * Run: node --expose-gc --import tsx bench/fanout.ts (without --expose-gc,
 * memory is measured without forcing a collection, and says so).
 */
import os from "node:os";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { Circle } from "../lib/events.js";
import { forkHelper } from "./support/child.js";
import type { SwarmMessage } from "./support/client-swarm.js";
import { closeAll, connectMany, numberedCircle, openClient, seqOf, type BenchClient } from "./support/clients.js";
import { collect, gcAvailable } from "./support/gc.js";
import { startBenchServer, type BenchServer } from "./support/server.js";
import { busyMachineWarning, describe, kib, mib, ms, summarize, verdict } from "./support/stats.js";

const CLIENTS = 200;
const BOARD = "class";
/** High enough that the limiter never refuses a write here; flood.ts tests the default. */
const RATE_LIMIT = { perSecond: 100_000, burst: 100_000 };

// (a) broadcast latency
const PACE_MS = 20; // 50 circles/s
const WARMUP_CIRCLES = 25;
const MEASURED_CIRCLES = 200;
const LATENCY_TARGET_MS = 100;

// (b) sustained throughput
const WRITERS = 10;
const THROUGHPUT_MS = 5_000;
const THROUGHPUT_TARGET = 200;

// (d) late joiner
const SNAPSHOT_CIRCLES = 5_000;
const JOINS = 5;
const JOIN_TARGET_MS = 500;

/** What every client's `add-circle` listener reports to. */
interface Tracker {
  /** Every `add-circle` delivered to any client. */
  deliveries: number;
  /** Circles being timed, by seq: when emitted, how many clients have it, when the last did. */
  timed: Map<number, { sentAt: number; received: number; allAt?: number }>;
}

function listen(clients: readonly BenchClient[], tracker: Tracker): void {
  for (const socket of clients) {
    socket.on("add-circle", (circle: Circle) => {
      tracker.deliveries++;
      const entry = tracker.timed.get(seqOf(circle));
      if (entry !== undefined && ++entry.received === clients.length) entry.allAt = performance.now();
    });
  }
}

/** The server's own time in `io.to(room).emit("add-circle")` so far (its metrics histogram). */
async function serverFanOut(server: BenchServer): Promise<{ seconds: number; count: number }> {
  const { values } = await server.metrics.broadcastSeconds.get();
  const pick = (suffix: string) =>
    values.find((v) => v.metricName?.endsWith(suffix) === true && v.labels["event"] === "add-circle")?.value ?? 0;
  return { seconds: pick("_sum"), count: pick("_count") };
}

/** CPU this process used since `before`, in cores, over `wallMs`. */
const cpuShare = (before: NodeJS.CpuUsage, wallMs: number) => {
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / wallMs;
};

/** Resolves when `done()` holds, or with false after `timeoutMs`. */
async function until(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}

let nextSeq = 0;

/** Emits `count` circles from `writer`, one every PACE_MS (on a fixed schedule), and times each to the last client. */
async function pacedBroadcast(server: BenchServer, writer: BenchClient, tracker: Tracker, count: number) {
  const fanOutBefore = await serverFanOut(server);
  const cpuBefore = process.cpuUsage();
  const seqs: number[] = [];
  const failures: string[] = [];
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const wait = start + i * PACE_MS - performance.now();
    if (wait > 0) await sleep(wait);
    const seq = nextSeq++;
    seqs.push(seq);
    tracker.timed.set(seq, { sentAt: performance.now(), received: 0 });
    writer.emit("add-circle", numberedCircle(seq), (ack) => {
      if (!ack.ok) failures.push(ack.error);
    });
  }
  const sendSeconds = (performance.now() - start) / 1000;
  const allArrived = await until(() => seqs.every((seq) => tracker.timed.get(seq)?.allAt !== undefined), 10_000);
  const cpu = cpuShare(cpuBefore, performance.now() - start);
  const fanOutAfter = await serverFanOut(server);
  const fanOutMs = ((fanOutAfter.seconds - fanOutBefore.seconds) * 1000) / Math.max(fanOutAfter.count - fanOutBefore.count, 1);
  const latencies = seqs.flatMap((seq) => {
    const entry = tracker.timed.get(seq);
    tracker.timed.delete(seq);
    return entry?.allAt === undefined ? [] : [entry.allAt - entry.sentAt];
  });
  return { latencies, failures, allArrived, rate: count / sendSeconds, cpu, fanOutMs };
}

/** WRITERS clients each add, wait for the ack, and add again, for THROUGHPUT_MS. */
async function sustained(server: BenchServer, writers: readonly BenchClient[], tracker: Tracker, receivers: number) {
  const commitsBefore = server.store.stats.transactions;
  const fanOutBefore = await serverFanOut(server);
  const cpuBefore = process.cpuUsage();
  const deliveriesBefore = tracker.deliveries;
  const ackLatencies: number[] = [];
  let acknowledged = 0;
  let refused = 0;
  let acknowledgedLate = 0;
  const start = performance.now();
  const deadline = start + THROUGHPUT_MS;
  await Promise.all(
    writers.map(
      (writer) =>
        new Promise<void>((resolve) => {
          const send = () => {
            if (performance.now() >= deadline) return resolve();
            const sentAt = performance.now();
            writer.emit("add-circle", numberedCircle(nextSeq++), (ack) => {
              const now = performance.now();
              if (!ack.ok) refused++;
              else if (now <= deadline) {
                acknowledged++;
                ackLatencies.push(now - sentAt);
              } else acknowledgedLate++;
              send();
            });
          };
          send();
        }),
    ),
  );
  const windowEnd = performance.now();
  const cpu = cpuShare(cpuBefore, windowEnd - start);
  const fanOut = await serverFanOut(server);
  const seconds = THROUGHPUT_MS / 1000;
  const deliveredInWindow = tracker.deliveries - deliveriesBefore;
  const commits = server.store.stats.transactions - commitsBefore;
  // Every acknowledged circle must still reach every client: wait for the backlog.
  const expected = (acknowledged + acknowledgedLate) * receivers;
  const drained = await until(() => tracker.deliveries - deliveriesBefore >= expected, 15_000);
  return {
    perSecond: acknowledged / seconds,
    deliveredPerSecond: deliveredInWindow / seconds,
    commitsPerSecond: commits / seconds,
    perCommit: (acknowledged + acknowledgedLate) / Math.max(commits, 1),
    refused,
    drained,
    drainMs: performance.now() - windowEnd,
    missing: expected - (tracker.deliveries - deliveriesBefore),
    ack: summarize(ackLatencies),
    cpu,
    fanOutMs: ((fanOut.seconds - fanOutBefore.seconds) * 1000) / Math.max(fanOut.count - fanOutBefore.count, 1),
  };
}

/** Server heap and RSS before and after CLIENTS connections held by a child process. */
async function serverMemory(server: BenchServer) {
  // Warm up: the first connections initialise code paths and caches that are not per socket.
  closeAll(await connectMany(server.url, "warm-up", 10));
  await until(() => server.io.engine.clientsCount === 0, 5_000);
  await collect();
  const before = process.memoryUsage();
  const swarm = forkHelper<SwarmMessage>(new URL("./support/client-swarm.ts", import.meta.url), [
    server.url,
    BOARD,
    String(CLIENTS),
  ]);
  try {
    const ready = await swarm.next((m): m is SwarmMessage => m.type === "ready" || m.type === "error", 30_000);
    if (ready.type === "error") throw new Error(`client swarm failed: ${ready.message}`);
    await sleep(300);
    await collect();
    const after = process.memoryUsage();
    const connected = server.io.engine.clientsCount;
    return {
      connected,
      heapPerSocket: (after.heapUsed - before.heapUsed) / connected,
      rssPerSocket: (after.rss - before.rss) / connected,
      externalPerSocket: (after.external + after.arrayBuffers - before.external - before.arrayBuffers) / connected,
      heapBefore: before.heapUsed,
      heapAfter: after.heapUsed,
      rssAfter: after.rss,
    };
  } finally {
    swarm.send("close");
    await swarm.exited(5_000);
    await until(() => server.io.engine.clientsCount === 0, 5_000);
  }
}

/** Tops the board up to SNAPSHOT_CIRCLES, then times JOINS late joiners from io() to their snapshot. */
async function lateJoins(server: BenchServer) {
  const present = (await server.store.load(BOARD)).length;
  const filler = Array.from({ length: Math.max(SNAPSHOT_CIRCLES - present, 0) }, (_, i): Circle => ({
    ...numberedCircle(nextSeq + i),
    id: `filler-${i}`,
    createdAt: Date.now(),
  }));
  nextSeq += filler.length;
  await Promise.all(filler.map((circle) => server.store.add(BOARD, circle, server.config.maxCircles)));
  const times: number[] = [];
  let size = 0;
  for (let i = 0; i < JOINS; i++) {
    const start = performance.now();
    const socket = openClient(server.url, BOARD);
    try {
      const snapshot = await new Promise<Circle[]>((resolve, reject) => {
        socket.once("board-snapshot", ({ circles }) => resolve(circles));
        socket.once("connect_error", reject);
      });
      times.push(performance.now() - start);
      size = snapshot.length;
    } finally {
      socket.disconnect();
    }
  }
  const bytes = Buffer.byteLength(JSON.stringify(await server.store.load(BOARD)));
  return { times: summarize(times), all: times, size, bytes };
}

const server = await startBenchServer(RATE_LIMIT);
let clients: BenchClient[] = [];
try {
  console.log(
    `circles fan-out on ${server.url}: ${CLIENTS} WebSocket clients on board "${BOARD}", SqliteStore ` +
      `(WAL, synchronous=FULL) in ${server.dataDir}`,
  );
  console.log(
    `note: the ${CLIENTS} clients of (a), (b) and (d) share this process and its event loop with the server ` +
      `(${os.cpus().length} cores, Node ${process.version}, load average ${os.loadavg()[0]?.toFixed(1)} at start); ` +
      "every figure includes their work, so it is conservative.",
  );

  console.log(`\n(c) server memory per connected socket (${CLIENTS} clients held by a child process)`);
  const memory = await serverMemory(server);
  console.log(
    `  ${memory.connected} sockets: heapUsed ${mib(memory.heapBefore)} -> ${mib(memory.heapAfter)}, ` +
      `RSS after ${mib(memory.rssAfter)}`,
  );
  console.log(
    `  per socket: heapUsed ${kib(memory.heapPerSocket)}, RSS ${kib(memory.rssPerSocket)}, ` +
      `external+arrayBuffers ${kib(memory.externalPerSocket)} ` +
      (gcAvailable ? "(after forced GC)" : "(NO forced GC: run with node --expose-gc for steadier figures)"),
  );

  const connectStart = performance.now();
  clients = await connectMany(server.url, BOARD, CLIENTS);
  console.log(`\n${CLIENTS} in-process clients connected and had their snapshots in ${ms(performance.now() - connectStart, 0)}`);
  const tracker: Tracker = { deliveries: 0, timed: new Map() };
  listen(clients, tracker);
  const [writer] = clients;
  if (writer === undefined) throw new Error("no clients");

  console.log(`\n(a) broadcast latency: 1 writer, one circle every ${PACE_MS} ms, emit -> the last of ${CLIENTS} clients has it`);
  await pacedBroadcast(server, writer, tracker, WARMUP_CIRCLES);
  const broadcast = await pacedBroadcast(server, writer, tracker, MEASURED_CIRCLES);
  const latency = summarize(broadcast.latencies);
  console.log(`  sent at ${broadcast.rate.toFixed(1)} circles/s (${WARMUP_CIRCLES} warm-up circles not counted)`);
  console.log(`  to all ${CLIENTS}: ${describe(latency)}`);
  console.log(
    `  server: ${ms(broadcast.fanOutMs, 2)} per broadcast in io.to(room).emit (${CLIENTS} socket writes); ` +
      `this process used ${(broadcast.cpu * 100).toFixed(0)}% of a core`,
  );
  if (broadcast.failures.length > 0) console.log(`  refused: ${broadcast.failures.length} (${broadcast.failures[0]})`);

  console.log(`\n(b) sustained throughput: ${WRITERS} writers, each sending its next circle on its ack, for ${THROUGHPUT_MS / 1000} s`);
  const load = await sustained(server, clients.slice(0, WRITERS), tracker, CLIENTS);
  console.log(
    `  ${load.perSecond.toFixed(0)} acknowledged circles/s, ${load.deliveredPerSecond.toFixed(0)} add-circle events ` +
      `delivered/s (to ${CLIENTS} clients), ${load.refused} refused`,
  );
  console.log(
    `  SQLite: ${load.commitsPerSecond.toFixed(0)} commits/s, ${load.perCommit.toFixed(1)} circles per commit (one fsync each)`,
  );
  console.log(`  ack latency under this load: ${describe(load.ack)}`);
  console.log(
    `  this process used ${(load.cpu * 100).toFixed(0)}% of a core; the server's io.to(room).emit took ` +
      `${ms(load.fanOutMs, 2)} per circle (its synchronous part: busy sockets buffer and write later)`,
  );
  console.log(
    load.drained
      ? `  every acknowledged circle reached all clients ${ms(load.drainMs, 0)} after the window`
      : `  ${load.missing} deliveries still missing ${ms(load.drainMs, 0)} after the window`,
  );

  console.log(`\n(d) late joiner on a board of ${SNAPSHOT_CIRCLES} circles (${CLIENTS} clients connected), io() -> board-snapshot`);
  const joins = await lateJoins(server);
  console.log(
    `  snapshot of ${joins.size} circles (${kib(joins.bytes)} of JSON): ${describe(joins.times)} ` +
      `[${joins.all.map((t) => t.toFixed(0)).join(", ")} ms]`,
  );

  const busy = busyMachineWarning();
  if (busy) console.log(`\n${busy}`);
  console.log("");
  verdict(
    broadcast.allArrived && broadcast.failures.length === 0 && latency.p99 < LATENCY_TARGET_MS,
    `p99 broadcast latency to all ${CLIENTS} clients at ${broadcast.rate.toFixed(0)} circles/s is ` +
      `${ms(latency.p99)} (target < ${LATENCY_TARGET_MS} ms at 50 circles/s)` +
      (broadcast.allArrived ? "" : "; some circles never reached every client"),
  );
  verdict(
    load.perSecond >= THROUGHPUT_TARGET && load.drained && load.refused === 0,
    `${WRITERS} writers got ${load.perSecond.toFixed(0)} acknowledged circles/s, each delivered to ${CLIENTS} ` +
      `clients, ${load.perCommit.toFixed(1)} per commit (target >= ${THROUGHPUT_TARGET}/s)` +
      (load.drained ? "" : "; some deliveries never arrived"),
  );
  verdict(
    joins.size === SNAPSHOT_CIRCLES && joins.times.max < JOIN_TARGET_MS,
    `slowest of ${JOINS} late joiners got the ${joins.size}-circle snapshot in ${ms(joins.times.max)} ` +
      `(target < ${JOIN_TARGET_MS} ms)`,
  );
  console.log(
    `info: server memory ${kib(memory.heapPerSocket)} heap, ${kib(memory.rssPerSocket)} RSS per socket ` +
      `(no target; ${gcAvailable ? "after GC" : "without GC"})`,
  );
} finally {
  closeAll(clients);
  await server.close();
}
