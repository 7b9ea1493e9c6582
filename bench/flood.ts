/* eslint-disable no-console */
/**
 * "A flood from one client never delays the others' circles noticeably."
 *
 * The real server (`node dist/bin/www.js`) with the DEFAULT limits (20
 * writes/s, burst 40, so the flood guard cuts a connection off past 160
 * events in a second), on a board of 5,000 circles. A normal player adds a
 * circle every 100 ms for 5 s and times its ack and the moment a watcher on
 * the same board receives the circle: first alone (baseline), then beside an
 * attacker (a process of its own) that stays just under the cut-off the
 * whole time, so that the server keeps working for it: once with
 * `add-circle`, once with `sync-board` since 0 (each answered with the whole
 * board).
 *
 * Not noticeably: beside each attacker, each p99 (ack, and delivery to the
 * watcher) is within 2 x its baseline p99 + 20 ms, and no normal write is
 * lost or refused. A run whose attacker was cut off, or fell short of its
 * rate, measured an idle server and FAILs.
 * Run: npm run build && npx tsx bench/flood.ts
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { forkHelper } from "./support/child.js";
import { addCircleBody, addedCircle } from "./support/frames.js";
import type { FloodEvent, FloodReport, FlooderMessage } from "./support/flooder.js";
import { cpuPercent } from "./support/proc-usage.js";
import { startCircles, type Served } from "./support/server-process.js";
import { busyMachineWarning, describe, ms, summarize, verdict, type Summary } from "./support/stats.js";
import { WireClient } from "./support/wire-client.js";

/** config.ts's defaults, and the flood guard's line they make (server.ts). */
const DEFAULT_RATE_LIMIT = { perSecond: 20, burst: 40 };
const CUT_OFF_PER_SECOND = Math.max(2 * DEFAULT_RATE_LIMIT.burst, 20) + 2 * DEFAULT_RATE_LIMIT.burst;
/** Just under the line: with at most ATTACK_IN_FLIGHT unanswered, no second of the server's sees more than 155. */
const ATTACK_PER_SECOND = 140;
const ATTACK_IN_FLIGHT = 15;
/** An attacker that sent less than this share of its rate did not load the server as meant. */
const ATTACK_MIN_SHARE = 0.9;
const BOARD = "flooded";
const BOARD_CIRCLES = 5_000;
const INTERVAL_MS = 100;
const WINDOW_MS = 5_000;
const ACK_TIMEOUT_MS = 5_000;
/** "Not noticeably": p99 beside the attacker <= FACTOR * baseline p99 + SLACK_MS. */
const FACTOR = 2;
const SLACK_MS = 20;

interface Phase {
  ack: Summary;
  delivery: Summary;
  sent: number;
  refused: string[];
  lost: number;
  /** The server's CPU over the phase, in % of one core. */
  serverCpu: number;
}

let nextCircle = 0;

/** Resolves with the client once it is connected and has the board and the player list. */
function joined(port: number, onFrame: (frame: Buffer) => void = () => undefined): Promise<WireClient> {
  return new Promise((resolve, reject) => {
    let board = false;
    let players = false;
    const timer = setTimeout(() => reject(new Error("a client did not join within 20 s")), 20_000);
    const client = new WireClient({
      target: { kind: "circles", port },
      board: BOARD,
      protocol: 1,
      onFrame: (_client, frame) => {
        if (frame.includes('["board-snapshot"')) board = true;
        if (frame.includes('["update-player-list"')) players = true;
        onFrame(frame);
        if (board && players) {
          clearTimeout(timer);
          resolve(client);
        }
      },
      onRefused: (_client, message) => reject(new Error(`refused: ${message}`)),
    });
  });
}

/** Fills the board through one connection, at most 100 writes unanswered (the server runs with high limits). */
async function fill(port: number): Promise<void> {
  const client = await joined(port);
  let answered = 0;
  let sent = 0;
  while (answered < BOARD_CIRCLES) {
    while (sent < BOARD_CIRCLES && sent - answered < 100) {
      sent++;
      client.emit(addCircleBody(1_000_000 + sent), () => answered++);
    }
    await sleep(1);
  }
  client.close();
}

/** The normal player's circles: one every INTERVAL_MS for WINDOW_MS, on a fixed schedule. */
async function normalTraffic(server: Served, normal: WireClient, watch: (listener: (frame: Buffer) => void) => void): Promise<Phase> {
  const sentAt = new Map<number, number>();
  const ackMs: number[] = [];
  const deliveryMs: number[] = [];
  const refused: string[] = [];
  watch((frame) => {
    const at = frame.includes('["add-circle"') ? sentAt.get(addedCircle(frame)) : undefined;
    if (at !== undefined) deliveryMs.push(performance.now() - at);
  });
  const count = WINDOW_MS / INTERVAL_MS;
  const before = server.usage();
  const start = performance.now();
  let answered = 0;
  for (let i = 0; i < count; i++) {
    const wait = start + i * INTERVAL_MS - performance.now();
    if (wait > 0) await sleep(wait);
    const n = nextCircle++;
    const at = start + i * INTERVAL_MS;
    sentAt.set(n, at);
    const sent = normal.emit(addCircleBody(n), (frame) => {
      answered++;
      if (frame.includes('"ok":true')) ackMs.push(performance.now() - at);
      else refused.push(frame.toString().slice(0, 120));
    });
    if (!sent) refused.push("not connected");
  }
  const after = server.usage();
  const drainBy = performance.now() + ACK_TIMEOUT_MS;
  while ((answered < count || deliveryMs.length + refused.length < count) && performance.now() < drainBy) await sleep(10);
  watch(() => undefined);
  return {
    ack: summarize(ackMs),
    delivery: summarize(deliveryMs),
    sent: count,
    refused,
    lost: count - refused.length - Math.min(ackMs.length, deliveryMs.length),
    serverCpu: cpuPercent(before, after),
  };
}

function report(name: string, phase: Phase): void {
  console.log(`  ${name}:`);
  console.log(`    ack        ${describe(phase.ack)}`);
  console.log(`    delivery   ${describe(phase.delivery)}  (due -> the watcher has it)`);
  console.log(
    `    ${phase.sent} sent, ${phase.refused.length} refused${phase.refused[0] ? ` (${phase.refused[0]})` : ""}, ` +
      `${phase.lost} unanswered or undelivered; server CPU ${phase.serverCpu.toFixed(0)} % of a core`,
  );
}

/** One phase beside an attacker sending `event`; returns the phase and the attacker's report. */
async function besideAttacker(server: Served, normal: WireClient, watch: (listener: (frame: Buffer) => void) => void, event: FloodEvent) {
  const attacker = forkHelper<FlooderMessage>(new URL("./support/flooder.ts", import.meta.url), [
    String(server.port),
    BOARD,
    event,
    String(ATTACK_PER_SECOND),
    String(ATTACK_IN_FLIGHT),
  ]);
  try {
    await attacker.next((m): m is FlooderMessage => m.type === "ready", 20_000);
    attacker.send("go");
    await attacker.next((m): m is FlooderMessage => m.type === "started", 5_000);
    const phase = await normalTraffic(server, normal, watch);
    attacker.send("stop");
    const done = await attacker.next((m): m is FloodReport => m.type === "done", 10_000);
    return { phase, done };
  } finally {
    attacker.send("stop");
    await attacker.exited(10_000);
  }
}

const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "circles-flood-"));
let server: Served | undefined;
const clients: WireClient[] = [];
try {
  console.log(
    `circles flood: the real server with the default write limit ${DEFAULT_RATE_LIMIT.perSecond}/s, burst ` +
      `${DEFAULT_RATE_LIMIT.burst} (flood cut-off past ${CUT_OFF_PER_SECOND} events/s); ${os.cpus().length} cores, ` +
      `load average ${os.loadavg()[0]?.toFixed(1)} at start`,
  );
  // The board is filled by a server with high limits, then served by one with the defaults.
  const filler = await startCircles({ dataDir, env: { RATE_LIMIT_PER_SECOND: "100000", RATE_LIMIT_BURST: "100000" } });
  await fill(filler.port);
  await filler.stop("SIGTERM");
  server = await startCircles({ dataDir });
  let listener: (frame: Buffer) => void = () => undefined;
  const watch = (next: (frame: Buffer) => void) => (listener = next);
  const normal = await joined(server.port);
  const watcher = await joined(server.port, (frame) => listener(frame));
  clients.push(normal, watcher);

  // Warm-up, not counted: the first writes compile the code paths.
  for (let i = 0; i < 10; i++) await new Promise((resolve) => normal.emit(addCircleBody(nextCircle++), resolve));
  await sleep(1_100); // the warm-up's share of the normal player's allowance comes back

  console.log(
    `\nnormal player: one circle every ${INTERVAL_MS} ms for ${WINDOW_MS / 1000} s; a watcher on the same board of ${BOARD_CIRCLES} circles`,
  );
  const baseline = await normalTraffic(server, normal, watch);
  report("alone (baseline)", baseline);
  const limit = (base: Summary) => FACTOR * base.p99 + SLACK_MS;

  for (const event of ["add-circle", "sync-board"] as const) {
    await sleep(1_100);
    const { phase, done } = await besideAttacker(server, normal, watch, event);
    const what = event === "add-circle" ? "add-circle" : "sync-board since 0 (the whole board each time)";
    report(`beside an attacker sending ${what} at ${ATTACK_PER_SECOND}/s, at most ${ATTACK_IN_FLIGHT} unanswered`, phase);
    const rate = done.sent / (done.floodMs / 1000);
    console.log(
      `    attacker: ${done.sent} sent in ${ms(done.floodMs, 0)} (${rate.toFixed(0)}/s): ${done.accepted} accepted, ` +
        `${done.rateLimited} rate-limited, ${done.otherErrors} other; ${(done.answerBytes / 1024 / 1024).toFixed(1)} MiB of answers; ` +
        (done.cutOff ? "CUT OFF by the server" : "never cut off"),
    );
    const loaded = !done.cutOff && rate >= ATTACK_MIN_SHARE * ATTACK_PER_SECOND;
    const clean = phase.lost === 0 && phase.refused.length === 0 && baseline.lost === 0;
    const why = loaded
      ? ""
      : `; INVALID: the attacker ${done.cutOff ? "was cut off" : `sent only ${rate.toFixed(0)}/s`}, so the server was not loaded as meant`;
    verdict(
      loaded && clean && phase.ack.p99 <= limit(baseline.ack),
      `${event} attacker: normal ack p99 ${ms(phase.ack.p99)} vs ${ms(baseline.ack.p99)} alone (limit ${ms(limit(baseline.ack))}); ` +
        `${phase.refused.length + phase.lost} of ${phase.sent} normal writes refused or lost${why}`,
    );
    verdict(
      loaded && clean && phase.delivery.p99 <= limit(baseline.delivery),
      `${event} attacker: delivery p99 to the watcher ${ms(phase.delivery.p99)} vs ${ms(baseline.delivery.p99)} alone ` +
        `(limit ${ms(limit(baseline.delivery))})${why}`,
    );
    if (event === "add-circle") {
      // The bursty limiter allows perSecond per 1 s window plus (burst - perSecond) per 10 s reserve window.
      const { perSecond, burst } = DEFAULT_RATE_LIMIT;
      const seconds = done.floodMs / 1000;
      const allowance = perSecond * (Math.ceil(seconds) + 1) + (burst - perSecond) * (Math.ceil(seconds / 10) + 1);
      verdict(
        done.accepted <= allowance,
        `the attacker got ${done.accepted} of ${done.sent} writes accepted in ${seconds.toFixed(1)} s ` +
          `(one sender's allowance at ${perSecond}/s, burst ${burst}: <= ${allowance})`,
      );
    }
  }
  const busy = busyMachineWarning();
  if (busy) console.log(`\n${busy}`);
} catch (error) {
  verdict(false, `the flood benchmark stopped: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  for (const client of clients) client.close();
  await server?.stop("SIGTERM");
  await fs.rm(dataDir, { recursive: true, force: true });
}
