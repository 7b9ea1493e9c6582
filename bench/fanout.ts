/* eslint-disable no-console */
/**
 * Fan-out: the real server (`node dist/bin/www.js`, as `npm start` runs it,
 * with SQLite in a fresh temp dir) against the best relays this machine runs,
 * measured in the same run. The load generator, in a process of its own,
 * holds up to 5,000 WebSocket clients on one board (bare clients speaking the
 * Socket.IO framing, so that one process holds them all). Every circle is
 * counted at every receiver and timed there from the moment it was due to be
 * sent; the servers' CPU and memory come from /proc.
 *
 * The floors (`support/`): for the lesson's protocol, `window-relay.ts`, bare
 * `ws` that frames each message once and writes each socket at most once
 * per WINDOW_MS, at once after a quiet spell; for protocol 2, `io-relay.ts`,
 * bare Socket.IO batching on the server's tick. Each contest runs both sides
 * three times, taking turns, and judges the median of the three ratios
 * (the machine is noisy, and the generator shares it). Each group of
 * contests starts on freshly started processes, so that memory is measured
 * from the same start on both sides. Then, with targets of their own:
 * joins, reconnect storms; and for the record, without targets: the
 * unwindowed `ws` relay (`raw-relay.ts`) and two nodes.
 *
 * Run: npm run build && npx tsx bench/fanout.ts (about ten minutes).
 * FANOUT_SCALE=0.1 multiplies every client count by 0.1: a quick check of
 * the harness itself; the targets are meant for 1, the default.
 * FANOUT_PHASES=crowd,lesson runs only the named groups (crowd, lesson, which
 * measures idle connections first, batched, players, storm, raw, two-nodes):
 * for working on one of them.
 * The two-node run needs the machine's PostgreSQL and Redis.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { TICK_MS, WINDOW_MS } from "../socket/relay/fanout.js";
import { Generator } from "./support/generator.js";
import type { OpenResult, StormResult, TrafficResult } from "./support/load-generator.js";
import { cpuPercent, type Usage } from "./support/proc-usage.js";
import { startCircles, startRelay, type Served } from "./support/server-process.js";
import { busyMachineWarning, kib, ms, verdict } from "./support/stats.js";
import type { Target } from "./support/wire-client.js";
import { createTestDatabase, dropTestDatabases } from "../test/support/postgres.js";
import { REDIS_URL, removeRedisKeys, testRedisPrefix } from "../test/support/redis.js";

/** High enough that no write here meets the rate limit or the flood guard (bench/flood.ts tests those). */
const SERVER_ENV = { RATE_LIMIT_PER_SECOND: "100000", RATE_LIMIT_BURST: "100000", MAX_CIRCLES: "50000" };
const SCALE = Number(process.env["FANOUT_SCALE"] ?? 1);
const scaled = (clients: number) => Math.max(Math.round(clients * SCALE), 10);
const ONLY = process.env["FANOUT_PHASES"]?.split(",");
const runs = (phase: string) => ONLY === undefined || ONLY.includes(phase);
const ROUNDS = 3;
const WARMUP_MS = 1_000;
const MEASURE_MS = 5_000;
/**
 * A p99 needs enough circles behind it: at 5 circles/s, 5 s is 25 circles, and
 * one of them meeting a garbage collection would be the whole tail. Slow
 * phases measure until this many circles have been sent.
 */
const MIN_CIRCLES = 100;
const measureMsOf = (rate: number) => Math.max(MEASURE_MS, Math.ceil((MIN_CIRCLES / rate) * 1000));
const DRAIN_MS = 5_000;
const IDLE_TARGET_BYTES = 20 * 1024;
const PLAYERS = scaled(1_000);
const PLAYERS_TARGET_MS = 3_000;
const STORM_CLIENTS = scaled(1_000);
const STORM_CIRCLES = 5_000;
const STORM_TARGET_MS = 5_000;

type FloorKind = "window" | "io";

interface Contest {
  name: string;
  rate: number;
  senders: number;
  floor: FloorKind;
  /** Targets, as the most the server's median ratio to the floor may be. */
  p99: number;
  cpu?: number;
  rss?: number;
}

/** Contests on the same clients: a group opens them once on each side. */
interface Group {
  name: string;
  clients: number;
  protocol: 1 | 2;
  register: boolean;
  contests: Contest[];
}

const GROUPS: Group[] = [
  {
    name: "crowd",
    clients: scaled(5_000),
    protocol: 1,
    register: true,
    contests: [{ name: "crowd", rate: 20, senders: 2, floor: "window", p99: 1.25, cpu: 1.5, rss: 2 }],
  },
  {
    name: "lesson",
    clients: scaled(1_000),
    protocol: 1,
    register: false,
    contests: [
      { name: "lesson-5", rate: 5, senders: 1, floor: "window", p99: 1.25 },
      { name: "lesson", rate: 200, senders: 4, floor: "window", p99: 1.25, cpu: 1.5 },
    ],
  },
  {
    name: "batched",
    clients: scaled(1_000),
    protocol: 2,
    register: false,
    contests: [
      { name: "batched", rate: 1_000, senders: 10, floor: "io", p99: 1.2 },
      { name: "batched-5", rate: 5, senders: 1, floor: "window", p99: 1.25 },
    ],
  },
];

interface Figures {
  p99: number;
  cpu: number;
  rssPerConnection: number;
  delivered: boolean;
}

/** One side of a contest: a process, its clients, and the usage before they connected. */
interface Side {
  label: string;
  served: Pick<Served, "usage">;
  target: Target;
  generator: Generator;
  baseline: Usage;
}

const openTimeout = (clients: number) => 10_000 + clients * 10;

async function open(side: Side, board: string, clients: number, protocol: 1 | 2, register = false) {
  const timeoutMs = openTimeout(clients);
  const { target, generator } = side;
  const opened = await generator.ask({ type: "open", target, board, count: clients, protocol, register, timeoutMs }, "opened", timeoutMs + 10_000);
  const failed = opened.ready < clients;
  console.log(
    `  ${side.label}: ${opened.ready} of ${clients} clients ready (${target.kind === "raw" ? "connected" : "have the board and the player list"}) ` +
      `in ${ms(opened.ms, 0)}` +
      (register ? `, ${opened.complete} saw the whole player list` : "") +
      (opened.refused > 0 ? `; ${opened.refused} refused (${opened.firstError})` : ""),
  );
  if (failed) throw new Error(`${side.label}: only ${opened.ready} of ${clients} clients connected`);
  return opened;
}

const close = (generator: Generator) => generator.ask({ type: "close" }, "closed", 10_000);

/** The server's count of open sockets, from /metrics; NaN for a relay. */
async function connectedSockets(served: Served, target: Target): Promise<number> {
  if (target.kind !== "circles") return Number.NaN;
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
    if (cpu < 10 && (open === 0 || target.kind !== "circles")) break;
  }
  const took = performance.now() - start;
  if (took > 1_000) {
    console.log(
      `  (${ms(took, 0)} after the clients closed, the server ${target.kind === "circles" ? `had ${open} sockets open and ` : ""}` +
        `used ${cpu.toFixed(0)} % CPU)`,
    );
  }
}

/** One traffic run on a side; the server's CPU over the measured window, its RSS at the end of it. */
async function traffic(side: Side, rate: number, senders: number): Promise<{ result: TrafficResult; figures: Figures }> {
  let start = side.served.usage();
  let end = start;
  const result = await side.generator.traffic(
    { type: "traffic", rate, senders, warmupMs: WARMUP_MS, measureMs: measureMsOf(rate), drainMs: DRAIN_MS },
    (edge) => {
      if (edge === "start") start = side.served.usage();
      else end = side.served.usage();
    },
  );
  const cpu = cpuPercent(start, end);
  const writesPerFrame = (end.writeCalls - start.writeCalls) / Math.max(result.deliveredInWindow, 1);
  const rssPerConnection = (end.rssBytes - side.baseline.rssBytes) / result.receivers;
  const delivered = result.delivered === result.expected && result.duplicates === 0 && result.refused === 0;
  const { latency } = result;
  console.log(
    `    ${side.label.padEnd(8)} p50 ${ms(latency.p50).padStart(8)}  p99 ${ms(latency.p99).padStart(8)}  max ${ms(latency.max).padStart(8)}  ` +
      `CPU ${cpu.toFixed(0).padStart(3)} %  RSS ${kib(rssPerConnection).padStart(9)}/conn  ${writesPerFrame.toFixed(2)} writes/circle  ` +
      `${((100 * result.delivered) / Math.max(result.expected, 1)).toFixed(3)} % delivered` +
      (result.duplicates > 0 ? `, ${result.duplicates} duplicates` : "") +
      (result.refused > 0 ? `, ${result.refused} refused (${result.firstError})` : "") +
      (result.unsent > 0 ? `, ${result.unsent} unsent` : "") +
      (result.ack.n > 0 ? `; ack p99 ${ms(result.ack.p99)}` : "") +
      `; generator CPU ${result.cpuPercent.toFixed(0)} %, sends up to ${ms(result.sendLagMaxMs)} late`,
  );
  return { result, figures: { p99: latency.p99, cpu, rssPerConnection, delivered } };
}

/** A short run on a board of its own first, so that the baseline does not count what any first use costs. */
async function warmUp(generator: Generator, target: Target, protocol: 1 | 2): Promise<void> {
  await generator.ask({ type: "open", target, board: "warm-up", count: 20, protocol, register: false, timeoutMs: 10_000 }, "opened", 20_000);
  await generator.traffic({ type: "traffic", rate: 100, senders: 2, warmupMs: 0, measureMs: 1_000, drainMs: 2_000 });
  await close(generator);
  await sleep(500);
}

const header = (text: string) => console.log(`\n${text}`);
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const times = (r: number) => (Number.isFinite(r) ? `${r.toFixed(2)}x` : "-");

/** Prints a contest's verdicts: one PASS/FAIL line per target, each with the median ratio and the three runs'. */
function judge(group: Group, contest: Contest, pairs: { ours: Figures; floor: Figures }[]): void {
  const floorName = contest.floor === "window" ? `the ${WINDOW_MS} ms windowed ws relay` : `bare Socket.IO batching on a ${TICK_MS} ms tick`;
  const title = `${contest.name}: ${group.clients} clients x ${contest.rate} circles/s, protocol ${group.protocol}`;
  const delivered = pairs.every((pair) => pair.ours.delivered && pair.floor.delivered);
  const check = (what: string, pick: (f: Figures) => number, limit: number, show: (v: number) => string) => {
    const ratios = pairs.map((pair) => pick(pair.ours) / pick(pair.floor));
    const mid = median(ratios);
    const ours = median(pairs.map((pair) => pick(pair.ours)));
    const floor = median(pairs.map((pair) => pick(pair.floor)));
    verdict(
      delivered && pairs.length === ROUNDS && mid <= limit,
      `${title}: ${what} ${times(mid)} ${floorName}'s (median of ${ratios.map(times).join(", ")}; ` +
        `${show(ours)} / ${show(floor)}) (target <= ${limit}x, 100 % delivered${delivered ? "" : ": NOT delivered"})`,
    );
  };
  check(
    "p99",
    (f) => f.p99,
    contest.p99,
    (v) => ms(v),
  );
  if (contest.cpu !== undefined)
    check(
      "server CPU",
      (f) => f.cpu,
      contest.cpu,
      (v) => `${v.toFixed(0)} %`,
    );
  if (contest.rss !== undefined) check("RSS per connection", (f) => f.rssPerConnection, contest.rss, kib);
}

async function startFloor(kind: FloorKind): Promise<Served> {
  return kind === "window" ? startRelay("window-relay.ts", [String(WINDOW_MS)]) : startRelay("io-relay.ts", [String(TICK_MS)]);
}

/** A freshly started process with a generator of its own, warmed up, its baseline taken. */
async function side(label: string, served: Served, kind: Target["kind"], protocol: 1 | 2): Promise<Side> {
  const target = { kind, port: served.port } as Target;
  const generator = new Generator();
  await warmUp(generator, target, kind === "raw" ? 1 : protocol);
  return { label, served, target, generator, baseline: served.usage() };
}

/** A group's contests: the server and each floor it is held to, started afresh, every contest run ROUNDS times, sides taking turns. */
async function contestGroup(group: Group, dataDir: string): Promise<void> {
  header(`=== ${group.name}: ${group.clients} clients, protocol ${group.protocol}${group.register ? ", each registered as a player" : ""}`);
  const processes: Served[] = [];
  const sides: Side[] = [];
  try {
    const server = await startCircles({ dataDir, env: SERVER_ENV });
    processes.push(server);
    const ours = await side("circles", server, "circles", group.protocol);
    sides.push(ours);
    const floors = new Map<FloorKind, Side>();
    for (const kind of new Set(group.contests.map((contest) => contest.floor))) {
      const served = await startFloor(kind);
      processes.push(served);
      const floor = await side(kind === "window" ? "window" : "bare io", served, kind === "window" ? "raw" : "io", group.protocol);
      sides.push(floor);
      floors.set(kind, floor);
    }
    console.log(`  circles pid ${server.pid}; ${[...floors].map(([kind, s]) => `${kind} floor pid ${(s.served as Served).pid}`).join("; ")}`);
    for (const s of sides) await open(s, group.name, group.clients, group.protocol, group.register && s.target.kind === "circles");

    if (group.name === "lesson") {
      await sleep(2_000);
      const perConnection = (s: Side) => (s.served.usage().rssBytes - s.baseline.rssBytes) / group.clients;
      const [mine, floor] = [perConnection(ours), perConnection(floors.get("window") as Side)];
      verdict(
        mine <= IDLE_TARGET_BYTES,
        `idle: server RSS per connection at ${group.clients}: ${kib(mine)}, ${times(mine / floor)} the floor's ${kib(floor)} (target <= ${kib(IDLE_TARGET_BYTES)})`,
      );
    }

    const results = new Map<Contest, { ours: Figures; floor: Figures }[]>(group.contests.map((contest) => [contest, []]));
    for (let round = 1; round <= ROUNDS; round++) {
      for (const contest of group.contests) {
        header(
          `  ${contest.name}, run ${round} of ${ROUNDS}: ${contest.rate} circles/s from ${contest.senders} senders for ${measureMsOf(contest.rate) / 1000} s`,
        );
        const floor = floors.get(contest.floor) as Side;
        // Taking turns, so that neither side always runs on the machine the other just left.
        const order = round % 2 === 1 ? [floor, ours] : [ours, floor];
        const figures = new Map<Side, Figures>();
        for (const s of order) figures.set(s, (await traffic(s, contest.rate, contest.senders)).figures);
        results.get(contest)?.push({ ours: figures.get(ours) as Figures, floor: figures.get(floor) as Figures });
      }
    }
    header(`  ${group.name}: the server against its floors, median of ${ROUNDS} runs`);
    for (const [contest, pairs] of results) judge(group, contest, pairs);
    if (server.warnings.length > 0) console.log(`  server warnings: ${server.warnings.slice(0, 3).join("\n  ")}`);
  } catch (error) {
    verdict(false, `${group.name}: the contests stopped: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await Promise.all(sides.map((s) => s.generator.end().catch(() => undefined)));
    await Promise.all(processes.map((p) => p.stop("SIGTERM")));
  }
}

/** Joins and reconnect storms against the server alone, each with a target of its own. */
async function joinsAndStorms(dataDir: string): Promise<void> {
  if (!runs("players") && !runs("storm")) return;
  let server = await startCircles({ dataDir, env: SERVER_ENV });
  const target: Target = { kind: "circles", port: server.port };
  const generator = new Generator();
  const me: Side = { label: "circles", served: server, target, generator, baseline: server.usage() };
  try {
    await warmUp(generator, target, 1);
    if (runs("players")) {
      header(
        `=== players: ${PLAYERS} join at once (at most 200 handshakes in flight) and register (target: all see the full list within ${PLAYERS_TARGET_MS / 1000} s)`,
      );
      const roll = await open(me, "roll-call", PLAYERS, 1, true);
      reportPlayers(roll);
      await closeAndSettle(generator, server, target);
    }

    for (const protocol of runs("storm") ? ([2, 1] as const) : []) {
      header(
        `=== reconnect storm, protocol ${protocol}: ${STORM_CLIENTS} clients on a board of ${STORM_CIRCLES} circles; the server ` +
          `restarts (SIGTERM, then start on the same port and data) (target: all have the whole board within ${STORM_TARGET_MS / 1000} s)`,
      );
      const board = `storm-${protocol}`;
      await open(me, board, 10, 1);
      const fill = await generator.traffic({
        type: "traffic",
        rate: 5_000,
        senders: 10,
        warmupMs: 0,
        measureMs: (STORM_CIRCLES / 5_000) * 1000,
        drainMs: 10_000,
      });
      await closeAndSettle(generator, server, target);
      await open(me, board, STORM_CLIENTS, protocol);
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
    verdict(false, `the join and storm phases stopped: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await generator.end().catch(() => undefined);
    await server.stop("SIGTERM");
  }
}

function reportPlayers(opened: OpenResult): void {
  console.log(`  ${opened.complete} of ${PLAYERS} clients saw the full list; the last ${ms(opened.completeMs, 0)} after the first connection`);
  verdict(
    opened.complete === PLAYERS && opened.completeMs <= PLAYERS_TARGET_MS,
    `players: ${opened.complete} of ${PLAYERS} see all ${PLAYERS} players within ${ms(opened.completeMs, 0)} (target all within ${PLAYERS_TARGET_MS / 1000} s)`,
  );
}

/**
 * For the record, no target: the lesson's load on a `ws` relay that writes
 * every message to every socket as it comes (one frame, one write each), the
 * floor before windows; and on two nodes sharing PostgreSQL and Redis.
 */
async function forTheRecord(): Promise<void> {
  if (runs("raw")) {
    header(`=== for the record: the unwindowed ws relay, one write per message per socket`);
    const relay = await startRelay("raw-relay.ts");
    const raw = await side("raw ws", relay, "raw", 1);
    try {
      for (const [clients, rate, senders] of [
        [scaled(1_000), 200, 4],
        [scaled(5_000), 20, 2],
      ] as const) {
        header(`  ${clients} clients x ${rate} circles/s`);
        await open(raw, "raw", clients, 1);
        await traffic(raw, rate, senders);
        await closeAndSettle(raw.generator, relay, raw.target);
      }
    } catch (error) {
      console.log(`  the raw relay stopped: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      await raw.generator.end().catch(() => undefined);
      await relay.stop("SIGTERM");
    }
  }
  if (runs("two-nodes")) await twoNodes();
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

/**
 * The lesson (200/s) and batched phases on two nodes sharing a PostgreSQL
 * database and a Redis prefix of the run's own (the machine's, on
 * 127.0.0.1), with the clients, senders included, spread evenly over both.
 * The figures are for both servers together; there is no target: two nodes
 * on two cores share them with the load generator.
 */
async function twoNodes(): Promise<void> {
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
    header(`=== for the record: two nodes (pids ${first.pid}, ${second.pid}), PostgreSQL and Redis, both servers' CPU together`);
    await warmUp(generator, target, 1);
    const both: Side = { label: "2 nodes", served: together(servers), target, generator, baseline: together(servers).usage() };
    for (const [name, protocol, rate, senders] of [
      ["lesson", 1, 200, 4],
      ["batched", 2, 1_000, 10],
    ] as const) {
      header(`  two nodes, ${name}: ${scaled(1_000)} clients (half on each), protocol ${protocol}, ${rate} circles/s`);
      await open(both, `two-${name}`, scaled(1_000), protocol);
      await traffic(both, rate, senders);
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
}

const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
console.log(
  `fan-out benchmark: ${os.cpus().length} cores, Node ${process.version}, load average ${loadAverage()} at start; ` +
    "server, load generators and relays each in a process of their own on 127.0.0.1",
);
const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "circles-fanout-"));
try {
  for (const group of GROUPS) if (runs(group.name)) await contestGroup(group, dataDir);
  await joinsAndStorms(dataDir);
  await forTheRecord();
  const busy = busyMachineWarning();
  if (busy) console.log(`\n${busy}`);
} finally {
  await fs.rm(dataDir, { recursive: true, force: true });
}
