/* eslint-disable no-console */
/**
 * "A flood from one client never delays the others' circles noticeably."
 *
 * A real server (createCirclesServer over SqliteStore in a temp dir) with the
 * DEFAULT write limit (20/s, burst 40). A normal client adds a circle every
 * 100 ms for 5 s and times its ack and the moment a watcher on the same board
 * receives the circle: first with no flood (baseline), then while a flooder,
 * a child process (as it would be another machine), sends `add-circle` on one
 * connection as fast as the server answers (keeping FLOOD_IN_FLIGHT writes
 * unanswered), and on a new connection whenever the server cuts it off.
 *
 * Not noticeably: under flood, each p99 (ack, and delivery to the watcher) is
 * within 2 × its baseline p99 + 20 ms, and no normal write is lost or refused.
 *
 * The server, the normal client and the watcher share this process, so a
 * delay the flood causes to the server's event loop is paid twice, on the
 * way in and on the way back; the flooder runs in its own.
 * Run: npx tsx bench/flood.ts
 */
import os from "node:os";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { Circle } from "../lib/events.js";
import { forkHelper } from "./support/child.js";
import { closeAll, numberedCircle, openClient, seqOf, whenReady, type BenchClient } from "./support/clients.js";
import type { FloodReport, FlooderMessage } from "./support/flooder.js";
import { startBenchServer } from "./support/server.js";
import { busyMachineWarning, describe, ms, summarize, verdict, type Summary } from "./support/stats.js";

/** config.ts's defaults for RATE_LIMIT_PER_SECOND and RATE_LIMIT_BURST. */
const DEFAULT_RATE_LIMIT = { perSecond: 20, burst: 40 };
const BOARD = "flooded";
const INTERVAL_MS = 100;
const WINDOW_MS = 5_000;
/** Writes the flooder may send, at most; the window ends it first. */
const FLOOD_MAX_WRITES = 1_000_000;
/** Unanswered writes the flooder keeps in flight: enough that the server always has a backlog. */
const FLOOD_IN_FLIGHT = 2_000;
const ACK_TIMEOUT_MS = 5_000;
/** "Not noticeably": p99 under flood <= FACTOR * baseline p99 + SLACK_MS. */
const FACTOR = 2;
const SLACK_MS = 20;

interface Phase {
  ack: Summary;
  delivery: Summary;
  sent: number;
  refused: string[];
  lost: number;
  /** The server's event-loop delay during the phase (this process). */
  loopP99: number;
  loopMax: number;
  /** CPU this process (server, normal client, watcher) used, in cores. */
  cpuShare: number;
}

let nextSeq = 0;

/** The normal client's circles: one every INTERVAL_MS for WINDOW_MS, on a fixed schedule. */
async function normalTraffic(normal: BenchClient, watcher: BenchClient): Promise<Phase> {
  const sentAt = new Map<number, number>();
  const ackMs: number[] = [];
  const deliveryMs: number[] = [];
  const refused: string[] = [];
  const onCircle = (circle: Circle) => {
    const at = sentAt.get(seqOf(circle));
    if (at !== undefined) deliveryMs.push(performance.now() - at);
  };
  watcher.on("add-circle", onCircle);
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const count = WINDOW_MS / INTERVAL_MS;
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  let answered = 0;
  for (let i = 0; i < count; i++) {
    const wait = start + i * INTERVAL_MS - performance.now();
    if (wait > 0) await sleep(wait);
    const seq = nextSeq++;
    const at = performance.now();
    sentAt.set(seq, at);
    normal.emit("add-circle", numberedCircle(seq), (ack) => {
      answered++;
      if (ack.ok) ackMs.push(performance.now() - at);
      else refused.push(ack.error);
    });
  }
  const drainBy = performance.now() + ACK_TIMEOUT_MS;
  while ((answered < count || deliveryMs.length + refused.length < count) && performance.now() < drainBy) await sleep(10);
  loop.disable();
  const cpu = process.cpuUsage(cpuBefore);
  const cpuShare = (cpu.user + cpu.system) / 1000 / (performance.now() - start);
  watcher.off("add-circle", onCircle);
  return {
    ack: summarize(ackMs),
    delivery: summarize(deliveryMs),
    sent: count,
    refused,
    lost: count - refused.length - Math.min(ackMs.length, deliveryMs.length),
    loopP99: loop.percentile(99) / 1e6,
    loopMax: loop.max / 1e6,
    cpuShare,
  };
}

function report(name: string, phase: Phase): void {
  console.log(`  ${name}:`);
  console.log(`    ack        ${describe(phase.ack)}`);
  console.log(`    delivery   ${describe(phase.delivery)}  (emit -> the watcher has it)`);
  console.log(
    `    ${phase.sent} sent, ${phase.refused.length} refused${phase.refused[0] ? ` (${phase.refused[0]})` : ""}, ` +
      `${phase.lost} unanswered or undelivered; server event-loop delay p99 ${ms(phase.loopP99)}, max ${ms(phase.loopMax)}; ` +
      `this process used ${(phase.cpuShare * 100).toFixed(0)}% of a core`,
  );
}

const server = await startBenchServer(DEFAULT_RATE_LIMIT);
const clients: BenchClient[] = [];
const flooder = forkHelper<FlooderMessage>(new URL("./support/flooder.ts", import.meta.url), [
  server.url,
  BOARD,
  String(FLOOD_MAX_WRITES),
  String(FLOOD_IN_FLIGHT),
]);
try {
  console.log(
    `circles flood on ${server.url}: default write limit ${DEFAULT_RATE_LIMIT.perSecond}/s, burst ` +
      `${DEFAULT_RATE_LIMIT.burst}; SqliteStore (WAL, synchronous=FULL) in ${server.dataDir}`,
  );
  console.log(
    `note: server, normal client and watcher share this process; the flooder is a child process ` +
      `(${os.cpus().length} cores, load average ${os.loadavg()[0]?.toFixed(1)} at start).`,
  );
  for (let i = 0; i < 2; i++) clients.push(openClient(server.url, BOARD));
  await Promise.all(clients.map((socket) => whenReady(socket)));
  const [normal, watcher] = clients;
  if (normal === undefined || watcher === undefined) throw new Error("no clients");
  await flooder.next((m): m is FlooderMessage => m.type === "ready", 30_000);

  // Warm-up, not counted: the first writes compile the code paths.
  for (let i = 0; i < 10; i++) {
    await new Promise<void>((resolve) => normal.emit("add-circle", numberedCircle(nextSeq++), () => resolve()));
  }
  await sleep(1_100); // the warm-up's share of the normal client's allowance comes back

  console.log(`\nnormal client: one circle every ${INTERVAL_MS} ms for ${WINDOW_MS / 1000} s; watcher on the same board`);
  const baseline = await normalTraffic(normal, watcher);
  report("baseline (no flood)", baseline);

  flooder.send("go");
  await flooder.next((m): m is FlooderMessage => m.type === "started", 5_000);
  const floodStart = performance.now();
  const flooded = await normalTraffic(normal, watcher);
  const normalEnd = performance.now() - floodStart;
  flooder.send("stop");
  const done = await flooder.next((m): m is FloodReport => m.type === "done", 20_000);
  report(`under flood (at most ${FLOOD_IN_FLIGHT} flood writes in flight)`, flooded);

  const floodSeconds = done.answeredMs / 1000;
  const answered = done.accepted + done.rateLimited + done.otherErrors;
  console.log(
    `  flood: ${done.sent} writes sent in ${ms(done.floodMs, 0)}, ${answered} answered in ${ms(done.answeredMs, 0)} ` +
      `(${(answered / floodSeconds).toFixed(0)} answers/s): ${done.accepted} accepted, ${done.rateLimited} rate-limited, ` +
      `${done.otherErrors} other errors, ${done.unanswered} unanswered; ${done.connections} connection(s)` +
      (done.connections > 1 ? ` (cut off and came back; ${done.refusedConnections} refused)` : ""),
  );
  // The bursty limiter allows perSecond per 1 s window plus (burst - perSecond) per 10 s reserve window.
  const { perSecond, burst } = DEFAULT_RATE_LIMIT;
  const allowance = perSecond * (Math.ceil(floodSeconds) + 1) + (burst - perSecond) * (Math.ceil(floodSeconds / 10) + 1);

  const busy = busyMachineWarning();
  if (busy) console.log(`\n${busy}`);
  console.log("");
  // The flood must outlast the normal client's writes, or it shows less than it should.
  const covered = done.floodMs >= normalEnd;
  if (!covered) console.log("warning: the flood ended before the normal client's last write: raise FLOOD_MAX_WRITES");
  const limit = (base: Summary) => FACTOR * base.p99 + SLACK_MS;
  const clean = flooded.lost === 0 && flooded.refused.length === 0 && baseline.lost === 0;
  verdict(
    covered && clean && flooded.ack.p99 <= limit(baseline.ack),
    `ack p99 under flood ${ms(flooded.ack.p99)} vs baseline ${ms(baseline.ack.p99)} ` +
      `(limit ${FACTOR} x baseline + ${SLACK_MS} ms = ${ms(limit(baseline.ack))}; ` +
      `${flooded.refused.length + flooded.lost} of ${flooded.sent} normal writes refused or lost)`,
  );
  verdict(
    covered && clean && flooded.delivery.p99 <= limit(baseline.delivery),
    `delivery p99 under flood ${ms(flooded.delivery.p99)} vs baseline ${ms(baseline.delivery.p99)} ` +
      `(limit ${FACTOR} x baseline + ${SLACK_MS} ms = ${ms(limit(baseline.delivery))})`,
  );
  verdict(
    done.accepted <= allowance,
    `the flooder got ${done.accepted} of ${done.sent} writes accepted in ${floodSeconds.toFixed(1)} s on ` +
      `${done.connections} connection(s) (one sender's allowance at ${perSecond}/s, burst ${burst}: <= ${allowance})`,
  );
} finally {
  flooder.send("stop");
  await flooder.exited(15_000);
  closeAll(clients);
  await server.close();
}
