/* eslint-disable no-console */
/**
 * Fan-out: the real server (`node dist/bin/www.js`, as `npm start` runs it,
 * with SQLite in a fresh temp dir) and, in a process of its own, a load
 * generator of up to 5,000 WebSocket clients on one board (bare `ws`
 * clients speaking the Socket.IO framing, so that one process holds them
 * all). Then the same lesson-style phases against a minimal `ws` relay, the
 * floor. Every circle is counted at every receiver and timed there from
 * the moment it was due to be sent; the server's CPU and memory come from
 * /proc. Each phase prints a PASS or FAIL line; any FAIL exits non-zero.
 *
 * Run: npm run build && npx tsx bench/fanout.ts (about three minutes).
 * FANOUT_SCALE=0.1 multiplies every client count by 0.1: a quick check of
 * the harness itself; the targets are meant for 1, the default.
 * FANOUT_PHASES=idle,lesson runs only the named phases (idle, lesson,
 * batched, crowd, players, storm, two-nodes): for working on one of them.
 * The two-node run needs the machine's PostgreSQL and Redis.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { forkHelper, type Child } from "./support/child.js";
import type { GeneratorCommand, GeneratorMessage, OpenResult, StormResult, TrafficResult } from "./support/load-generator.js";
import { cpuPercent, type Usage } from "./support/proc-usage.js";
import { startCircles, startRawRelay, type Served } from "./support/server-process.js";
import { busyMachineWarning, kib, mib, ms, verdict } from "./support/stats.js";
import type { Target } from "./support/wire-client.js";
import { createTestDatabase, dropTestDatabases } from "../test/support/postgres.js";
import { REDIS_URL, removeRedisKeys, testRedisPrefix } from "../test/support/redis.js";

/** High enough that no write here meets the rate limit or the flood guard (bench/flood.ts tests those). */
const SERVER_ENV = { RATE_LIMIT_PER_SECOND: "100000", RATE_LIMIT_BURST: "100000", MAX_CIRCLES: "20000" };
const SCALE = Number(process.env["FANOUT_SCALE"] ?? 1);
const scaled = (clients: number) => Math.max(Math.round(clients * SCALE), 10);
const ONLY = process.env["FANOUT_PHASES"]?.split(",");
const runs = (phase: string) => ONLY === undefined || ONLY.includes(phase);
const WARMUP_MS = 1_000;
const MEASURE_MS = 5_000;
const DRAIN_MS = 5_000;

interface TrafficPhase {
  name: string;
  clients: number;
  protocol: 1 | 2;
  rate: number;
  senders: number;
  p99TargetMs: number;
  /** Raw ws relays one frame per circle: no target for it where that cannot keep up. */
  rawTarget: boolean;
}

const ALL_TRAFFIC: TrafficPhase[] = [
  { name: "lesson", clients: scaled(1_000), protocol: 1, rate: 200, senders: 4, p99TargetMs: 30, rawTarget: true },
  { name: "batched", clients: scaled(1_000), protocol: 2, rate: 1_000, senders: 10, p99TargetMs: 100, rawTarget: false },
  { name: "crowd", clients: scaled(5_000), protocol: 1, rate: 20, senders: 2, p99TargetMs: 60, rawTarget: true },
];
const TRAFFIC = ALL_TRAFFIC.filter((phase) => runs(phase.name));
const IDLE_CLIENTS = scaled(1_000);
const IDLE_TARGET_BYTES = 20 * 1024;
const PLAYERS = scaled(1_000);
const PLAYERS_TARGET_MS = 3_000;
const STORM_CLIENTS = scaled(1_000);
const STORM_CIRCLES = 5_000;
const STORM_TARGET_MS = 5_000;

interface Figures {
  p99: number;
  cpu: number;
  rssPerConnection: number;
}

/** The load generator, forked afresh for each target; `ask` sends one command and waits for its answer. */
class Generator {
  #child: Child<GeneratorMessage> = forkHelper<GeneratorMessage>(new URL("./support/load-generator.ts", import.meta.url), []);

  send(command: GeneratorCommand): void {
    this.#child.send(command);
  }

  async next<T extends GeneratorMessage["type"]>(type: T, timeoutMs: number): Promise<Extract<GeneratorMessage, { type: T }>> {
    const message = await this.#child.next(
      (m): m is Extract<GeneratorMessage, { type: T }> | Extract<GeneratorMessage, { type: "error" }> => m.type === type || m.type === "error",
      timeoutMs,
    );
    if (message.type === "error") throw new Error(`load generator: ${(message as { message: string }).message}`);
    return message as Extract<GeneratorMessage, { type: T }>;
  }

  ask<T extends GeneratorMessage["type"]>(command: GeneratorCommand, type: T, timeoutMs: number) {
    this.send(command);
    return this.next(type, timeoutMs);
  }

  /** Runs a traffic command, calling `onWindow` as its measured window starts and ends. */
  async traffic(command: Extract<GeneratorCommand, { type: "traffic" }>, onWindow: (edge: "start" | "end") => void = () => undefined) {
    this.send(command);
    const limit = command.warmupMs + command.measureMs + 10_000;
    for (const edge of ["start", "end"] as const) {
      await this.next("window", limit);
      onWindow(edge);
    }
    return this.next("traffic", command.drainMs + 10_000);
  }

  async end(): Promise<void> {
    this.#child.process.disconnect();
    await this.#child.exited(5_000);
  }
}

const openTimeout = (clients: number) => 10_000 + clients * 10;

async function open(generator: Generator, target: Target, board: string, clients: number, protocol: 1 | 2, register = false) {
  const timeoutMs = openTimeout(clients);
  const opened = await generator.ask({ type: "open", target, board, count: clients, protocol, register, timeoutMs }, "opened", timeoutMs + 10_000);
  const failed = opened.ready < clients;
  console.log(
    `  ${opened.ready} of ${clients} clients ready (${target.kind === "raw" ? "connected" : "have the board and the player list"}) ` +
      `in ${ms(opened.ms, 0)}` +
      (opened.refused > 0 ? `; ${opened.refused} refused (${opened.firstError})` : ""),
  );
  return { opened, failed };
}

const close = (generator: Generator) => generator.ask({ type: "close" }, "closed", 10_000);

/** The server's count of open sockets, from /metrics; NaN for the relay. */
async function connectedSockets(served: Served, target: Target): Promise<number> {
  if (target.kind === "raw") return Number.NaN;
  const response = await fetch(`http://127.0.0.1:${served.port}/metrics`, { signal: AbortSignal.timeout(5_000) });
  const match = /^circles_connected_sockets (\d+)/m.exec(await response.text());
  return Number(match?.[1] ?? Number.NaN);
}

/**
 * Closes the group and waits (up to 30 s) until the server has let go of
 * every socket and is idle again, so that one phase's backlog does not land
 * in the next; says so when that took long.
 */
async function closeAndSettle(generator: Generator, served: Served, target: Target): Promise<void> {
  await close(generator);
  const start = performance.now();
  let open = Number.NaN;
  let cpu = Number.NaN;
  while (performance.now() - start < 30_000) {
    const before = served.usage();
    await sleep(250);
    cpu = cpuPercent(before, served.usage());
    open = await connectedSockets(served, target).catch(() => Number.NaN);
    if (cpu < 10 && (open === 0 || target.kind === "raw")) break;
  }
  const took = performance.now() - start;
  if (took > 1_000) {
    console.log(
      `  (${ms(took, 0)} after the clients closed, the server ${target.kind === "raw" ? "" : `had ${open} sockets open and `}` +
        `used ${cpu.toFixed(0)} % CPU)`,
    );
  }
}

/** One traffic phase against `served`; the server's CPU is measured over the measured window. */
async function traffic(generator: Generator, served: Pick<Served, "usage">, phase: TrafficPhase, baseline: Usage) {
  let start = served.usage();
  let end = start;
  const result: TrafficResult = await generator.traffic(
    { type: "traffic", rate: phase.rate, senders: phase.senders, warmupMs: WARMUP_MS, measureMs: MEASURE_MS, drainMs: DRAIN_MS },
    (edge) => {
      if (edge === "start") start = served.usage();
      else end = served.usage();
    },
  );
  const cpu = cpuPercent(start, end);
  const writesPerFrame = (end.writeCalls - start.writeCalls) / Math.max(result.deliveredInWindow, 1);
  const rssPerConnection = (end.rssBytes - baseline.rssBytes) / result.receivers;
  const deliveredPercent = (100 * result.delivered) / Math.max(result.expected, 1);
  const { latency } = result;
  console.log(`  latency at every receiver: n=${latency.n}  p50 ${ms(latency.p50)}  p99 ${ms(latency.p99)}  max ${ms(latency.max)}`);
  console.log(
    `  delivered ${deliveredPercent.toFixed(3)} % (${result.delivered} of ${result.expected}: ${result.measured} circles ` +
      `x ${result.receivers} receivers)${result.duplicates > 0 ? `, ${result.duplicates} duplicates` : ""}; ` +
      `acked ${result.acked}, refused ${result.refused}${result.firstError ? ` (${result.firstError})` : ""}, ` +
      `unsent ${result.unsent}, reconnects ${result.reconnects}; all in ${ms(result.drainMs, 0)} after the last send`,
  );
  console.log(
    `  server CPU ${cpu.toFixed(0)} % of a core, RSS ${mib(end.rssBytes)} (${kib(rssPerConnection)} per connection ` +
      `over the idle server), ${writesPerFrame.toFixed(2)} write calls per circle delivered; ` +
      `generator CPU ${result.cpuPercent.toFixed(0)} %, sends up to ${ms(result.sendLagMaxMs)} late` +
      (result.ack.n > 0 ? `; ack p99 ${ms(result.ack.p99)}` : ""),
  );
  const passed = result.delivered === result.expected && result.duplicates === 0 && result.refused === 0 && latency.p99 <= phase.p99TargetMs;
  return { result, passed, deliveredPercent, figures: { p99: latency.p99, cpu, rssPerConnection } satisfies Figures };
}

/** A short run on a board of its own first, so that the baseline does not count what any first use costs. */
async function warmUp(generator: Generator, target: Target): Promise<void> {
  await generator.ask({ type: "open", target, board: "warm-up", count: 20, protocol: 1, register: false, timeoutMs: 10_000 }, "opened", 20_000);
  await generator.traffic({ type: "traffic", rate: 100, senders: 2, warmupMs: 0, measureMs: 1_000, drainMs: 2_000 });
  await close(generator);
  await sleep(500);
}

/** The idle phase's clients are the first phase's when they fit it. */
const keepsIdleClients = (i: number, phase: TrafficPhase) => i === 0 && phase.protocol === 1 && phase.clients === IDLE_CLIENTS;

/** Idle connections: RSS over the warmed-up server's, per connection, once they have settled. */
async function idle(generator: Generator, served: Served, target: Target, baseline: Usage) {
  const { failed } = await open(generator, target, TRAFFIC[0]?.name ?? "lesson", IDLE_CLIENTS, 1);
  await sleep(2_000);
  const after = served.usage();
  const perConnection = (after.rssBytes - baseline.rssBytes) / IDLE_CLIENTS;
  console.log(`  RSS ${mib(baseline.rssBytes)} -> ${mib(after.rssBytes)}: ${kib(perConnection)} per idle connection`);
  return { failed, perConnection };
}

const header = (text: string) => console.log(`\n${text}`);

/** Every phase against the server; returns the figures to compare with the relay's. */
async function circlesPhases(dataDir: string): Promise<Map<string, Figures>> {
  const figures = new Map<string, Figures>();
  let server = await startCircles({ dataDir, env: SERVER_ENV });
  const target: Target = { kind: "circles", port: server.port };
  const generator = new Generator();
  try {
    console.log(`circles server (pid ${server.pid}) on 127.0.0.1:${server.port}, SQLite in ${dataDir}, ${JSON.stringify(SERVER_ENV)}`);
    await warmUp(generator, target);
    const baseline = server.usage();

    header(`idle: ${IDLE_CLIENTS} connections (target <= ${kib(IDLE_TARGET_BYTES)} RSS each)`);
    const memory = await idle(generator, server, target, baseline);
    verdict(
      !memory.failed && memory.perConnection <= IDLE_TARGET_BYTES,
      `server RSS per idle connection at ${IDLE_CLIENTS}: ${kib(memory.perConnection)} (target <= 20 KiB)`,
    );
    figures.set("idle", { p99: Number.NaN, cpu: Number.NaN, rssPerConnection: memory.perConnection });

    for (const [i, phase] of TRAFFIC.entries()) {
      header(
        `${phase.name}: ${phase.clients} clients, protocol ${phase.protocol}, ${phase.rate} circles/s from ${phase.senders} ` +
          `senders for ${MEASURE_MS / 1000} s (target p99 <= ${phase.p99TargetMs} ms, 100 % delivered)`,
      );
      const opened = keepsIdleClients(i, phase)
        ? { failed: false }
        : (await closeAndSettle(generator, server, target), await open(generator, target, phase.name, phase.clients, phase.protocol));
      const run = await traffic(generator, server, phase, baseline);
      figures.set(phase.name, run.figures);
      verdict(
        !opened.failed && run.passed,
        `${phase.name}: ${phase.clients} clients x ${phase.rate} circles/s, protocol ${phase.protocol}: p99 ${ms(run.figures.p99)}, ` +
          `${run.deliveredPercent.toFixed(3)} % delivered (target p99 <= ${phase.p99TargetMs} ms, 100 %)`,
      );
    }
    await closeAndSettle(generator, server, target);

    if (runs("players")) {
      header(
        `players: ${PLAYERS} join at once (at most 200 handshakes in flight) and register (target: all see the full list within ${PLAYERS_TARGET_MS / 1000} s)`,
      );
      const roll = await open(generator, target, "roll-call", PLAYERS, 1, true);
      reportPlayers(roll.opened);
      await closeAndSettle(generator, server, target);
    }

    for (const protocol of runs("storm") ? ([2, 1] as const) : []) {
      header(
        `reconnect storm, protocol ${protocol}: ${STORM_CLIENTS} clients on a board of ${STORM_CIRCLES} circles; the server ` +
          `restarts (SIGTERM, then start on the same port and data) (target: all have the whole board within ${STORM_TARGET_MS / 1000} s)`,
      );
      const board = `storm-${protocol}`;
      await open(generator, target, board, 10, 1);
      const fill = await generator.traffic({
        type: "traffic",
        rate: 5_000,
        senders: 10,
        warmupMs: 0,
        measureMs: (STORM_CIRCLES / 5_000) * 1000,
        drainMs: 10_000,
      });
      await closeAndSettle(generator, server, target);
      const { failed } = await open(generator, target, board, STORM_CLIENTS, protocol);
      const armed = await generator.ask({ type: "storm-arm" }, "armed", 10_000);
      console.log(
        `  before: ${armed.agreeing} of ${armed.clients} clients have the board (${armed.count} circles, seq ${armed.seq}); ${fill.acked} circles added`,
      );
      generator.send({ type: "storm-go", timeoutMs: 15_000 });
      const down = performance.now();
      await server.stop("SIGTERM");
      const stopped = performance.now();
      server = await startCircles({ dataDir, port: target.port, env: SERVER_ENV });
      console.log(`  server stopped in ${ms(stopped - down, 0)}, listening again ${ms(performance.now() - down, 0)} after SIGTERM`);
      const storm: StormResult = await generator.next("storm", 20_000);
      console.log(
        `  ${storm.whole} of ${storm.lost} clients that lost their connection have the whole board again: ` +
          `p50 ${ms(storm.times.p50, 0)}  p99 ${ms(storm.times.p99, 0)}  max ${ms(storm.times.max, 0)} after SIGTERM`,
      );
      verdict(
        !failed &&
          armed.count === STORM_CIRCLES &&
          armed.agreeing === STORM_CLIENTS &&
          storm.lost === STORM_CLIENTS &&
          storm.whole === STORM_CLIENTS &&
          storm.times.max <= STORM_TARGET_MS,
        `reconnect storm, protocol ${protocol}: ${storm.whole} of ${STORM_CLIENTS} clients have all ${armed.count} circles ` +
          `back within ${ms(storm.times.max, 0)} (target all within ${STORM_TARGET_MS / 1000} s)`,
      );
      await closeAndSettle(generator, server, target);
    }
    if (server.warnings.length > 0) console.log(`  server warnings: ${server.warnings.slice(0, 3).join("\n  ")}`);
  } catch (error) {
    verdict(false, `the server phases stopped: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await generator.end().catch(() => undefined);
    await server.stop("SIGTERM");
  }
  return figures;
}

function reportPlayers(opened: OpenResult): void {
  console.log(`  ${opened.complete} of ${PLAYERS} clients saw the full list; the last ${ms(opened.completeMs, 0)} after the first connection`);
  verdict(
    opened.complete === PLAYERS && opened.completeMs <= PLAYERS_TARGET_MS,
    `players: ${opened.complete} of ${PLAYERS} see all ${PLAYERS} players within ${ms(opened.completeMs, 0)} (target all within ${PLAYERS_TARGET_MS / 1000} s)`,
  );
}

/** Several servers measured as one: their CPU, memory and write calls added up. */
function together(servers: Served[]): Pick<Served, "usage"> {
  return {
    usage() {
      const all = servers.map((server) => server.usage());
      const sum = (pick: (usage: Usage) => number) => all.reduce((total, usage) => total + pick(usage), 0);
      return { at: all[0]?.at ?? 0, cpuSeconds: sum((u) => u.cpuSeconds), rssBytes: sum((u) => u.rssBytes), writeCalls: sum((u) => u.writeCalls) };
    },
  };
}

const TWO_NODE_PHASES = ALL_TRAFFIC.filter((phase) => phase.name === "lesson" || phase.name === "batched");

/**
 * The lesson and batched phases again on two nodes sharing a PostgreSQL
 * database and a Redis prefix of the run's own (the machine's, on
 * 127.0.0.1), with the clients, senders included, spread evenly over both.
 * The figures are for both servers together; there is no target: two nodes
 * on two cores share them with the load generator.
 */
async function twoNodePhases(): Promise<Map<string, Figures>> {
  const figures = new Map<string, Figures>();
  if (!runs("two-nodes") || TWO_NODE_PHASES.length === 0) return figures;
  const prefix = testRedisPrefix();
  const servers: Served[] = [];
  const generator = new Generator();
  // Unused with PostgreSQL, but a server is always given one.
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "circles-fanout-"));
  try {
    const env = { ...SERVER_ENV, DATABASE_URL: await createTestDatabase(), REDIS_URL, REDIS_PREFIX: prefix };
    servers.push(await startCircles({ dataDir, env }), await startCircles({ dataDir, env }));
    const [first, second] = servers as [Served, Served];
    const target: Target = { kind: "circles", port: first.port, spread: [second.port] };
    console.log(`\n\n=== two nodes (pids ${first.pid}, ${second.pid}) on 127.0.0.1:${first.port} and :${second.port}, PostgreSQL and Redis`);
    await warmUp(generator, target);
    const both = together(servers);
    const baseline = both.usage();
    for (const phase of TWO_NODE_PHASES) {
      header(
        `two nodes, ${phase.name}: ${phase.clients} clients (half on each), protocol ${phase.protocol}, ${phase.rate} circles/s from ${phase.senders} senders`,
      );
      await open(generator, target, `two-${phase.name}`, phase.clients, phase.protocol);
      const run = await traffic(generator, both, phase, baseline);
      figures.set(phase.name, run.figures);
      console.log(
        `  two nodes, ${phase.name}: p99 ${ms(run.figures.p99)}, ${run.deliveredPercent.toFixed(3)} % delivered (both servers' CPU together)`,
      );
      await close(generator);
    }
  } catch (error) {
    console.log(`  the two-node phases stopped: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await generator.end().catch(() => undefined);
    await Promise.all(servers.map((server) => server.stop("SIGTERM")));
    await dropTestDatabases().catch(() => undefined);
    await removeRedisKeys(prefix).catch(() => undefined);
    await fs.rm(dataDir, { recursive: true, force: true });
  }
  return figures;
}

/** The same traffic against the raw relay: one frame per circle, no acknowledgements, no board. */
async function rawPhases(): Promise<Map<string, Figures>> {
  const figures = new Map<string, Figures>();
  const relay = await startRawRelay();
  const target: Target = { kind: "raw", port: relay.port };
  const generator = new Generator();
  try {
    console.log(`\n\n=== the floor: raw ws relay (pid ${relay.pid}) on 127.0.0.1:${relay.port}, every message to every client`);
    await warmUp(generator, target);
    const baseline = relay.usage();
    header(`raw idle: ${IDLE_CLIENTS} connections`);
    const memory = await idle(generator, relay, target, baseline);
    figures.set("idle", { p99: Number.NaN, cpu: Number.NaN, rssPerConnection: memory.perConnection });
    for (const [i, phase] of TRAFFIC.entries()) {
      header(`raw ${phase.name}: ${phase.clients} clients, ${phase.rate} circles/s, one frame each, from ${phase.senders} senders`);
      if (!keepsIdleClients(i, phase)) {
        await closeAndSettle(generator, relay, target);
        await open(generator, target, phase.name, phase.clients, 1);
      }
      const run = await traffic(generator, relay, phase, baseline);
      figures.set(phase.name, run.figures);
      console.log(
        `  raw ${phase.name}: p99 ${ms(run.figures.p99)}, ${run.deliveredPercent.toFixed(3)} % delivered` +
          (phase.rawTarget ? "" : " (one frame per circle: not expected to keep up; no target)"),
      );
    }
  } catch (error) {
    console.log(`  the raw relay phases stopped: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await generator.end().catch(() => undefined);
    await relay.stop("SIGTERM");
  }
  return figures;
}

const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(1)}x` : "-");

const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
console.log(
  `fan-out benchmark: ${os.cpus().length} cores, Node ${process.version}, load average ${loadAverage()} at start; ` +
    "server, load generator and relay each in a process of their own on 127.0.0.1",
);
const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "circles-fanout-"));
try {
  const project = await circlesPhases(dataDir);
  const twoNodes = await twoNodePhases();
  const raw = await rawPhases();
  console.log(`\n=== circles / raw ws (load average ${loadAverage()})`);
  console.log(`  ${"phase".padEnd(10)} ${"p99 latency".padEnd(30)}${"server CPU (% of a core)".padEnd(30)}RSS per connection`);
  for (const [name, ours] of project) {
    const floor = raw.get(name);
    if (floor === undefined) continue;
    const cell = (a: string, b: string, r: string) => `${a} / ${b} = ${r}`.padEnd(30);
    console.log(
      `  ${name.padEnd(10)} ${cell(ms(ours.p99), ms(floor.p99), ratio(ours.p99, floor.p99))}` +
        `${cell(`${ours.cpu.toFixed(0)}%`, `${floor.cpu.toFixed(0)}%`, ratio(ours.cpu, floor.cpu))}` +
        `${kib(ours.rssPerConnection)} / ${kib(floor.rssPerConnection)} = ${ratio(ours.rssPerConnection, floor.rssPerConnection)}`,
    );
  }
  if (twoNodes.size > 0) {
    console.log(`\n=== one node / two nodes`);
    for (const [name, two] of twoNodes) {
      const one = project.get(name);
      if (one === undefined) continue;
      console.log(
        `  ${name.padEnd(10)} p99 ${ms(one.p99)} / ${ms(two.p99)}; server CPU ${one.cpu.toFixed(0)}% / ${two.cpu.toFixed(0)}% (two: both together)`,
      );
    }
  }
  const busy = busyMachineWarning();
  if (busy) console.log(`\n${busy}`);
} finally {
  await fs.rm(dataDir, { recursive: true, force: true });
}
