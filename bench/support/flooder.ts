/**
 * The flood benchmark's attacker, a process of its own (through fork()): one
 * connection that sends `event` (`add-circle`, or `sync-board` since 0, which
 * asks for the whole board) at `perSecond`, evenly, keeping at most
 * `maxInFlight` unanswered: as hard as a client can push while staying just
 * under the flood guard's cut-off, so the server works the whole time
 * instead of shutting it out. Usage, through fork():
 * flooder.ts <port> <board> <event> <perSecond> <maxInFlight>.
 *
 * Tells its parent {type: "ready"} once connected; sends from "go" until
 * "stop" (or MAX_FLOOD_MS), then reports {type: "done"} and exits.
 */
import { performance } from "node:perf_hooks";
import { addCircleBody } from "./frames.js";
import { WireClient } from "./wire-client.js";

export type FloodEvent = "add-circle" | "sync-board";

export interface FloodReport {
  type: "done";
  sent: number;
  accepted: number;
  rateLimited: number;
  otherErrors: number;
  /** Whether the server closed the connection (the flood guard cutting it off). */
  cutOff: boolean;
  floodMs: number;
  /** Bytes of answers received. */
  answerBytes: number;
}

export type FlooderMessage = { type: "ready" } | { type: "started" } | FloodReport;

const MAX_FLOOD_MS = 30_000;
/** Far outside the circle numbers the measured player uses. */
const FLOOD_CIRCLE = addCircleBody(2_000_000);

const [portText, board, event, perSecondText, maxInFlightText] = process.argv.slice(2);
if (board === undefined || maxInFlightText === undefined || (event !== "add-circle" && event !== "sync-board")) {
  throw new Error("usage (through fork): flooder.ts <port> <board> <add-circle|sync-board> <perSecond> <maxInFlight>");
}
const perSecond = Number(perSecondText);
const maxInFlight = Number(maxInFlightText);
const body = event === "add-circle" ? FLOOD_CIRCLE : `["sync-board",0]`;
const send = (message: FlooderMessage) => process.send?.(message);
const lifetime = setTimeout(() => process.exit(1), MAX_FLOOD_MS + 20_000);

const report: FloodReport = { type: "done", sent: 0, accepted: 0, rateLimited: 0, otherErrors: 0, cutOff: false, floodMs: 0, answerBytes: 0 };
let inFlight = 0;
let startedAt = 0;
let timer: NodeJS.Timeout | undefined;

const client = new WireClient({
  target: { kind: "circles", port: Number(portText) },
  board,
  protocol: 1,
  onFrame: () => undefined,
  onConnect: () => send({ type: "ready" }),
  onClose: () => {
    if (report.floodMs > 0) return;
    report.cutOff = startedAt > 0;
    finish();
  },
});

function answer(frame: Buffer): void {
  inFlight--;
  report.answerBytes += frame.length;
  if (frame.includes('"ok":true')) report.accepted++;
  else if (frame.includes('"rate limited"')) report.rateLimited++;
  else report.otherErrors++;
}

function flood(): void {
  const interval = 1000 / perSecond;
  let due = 0;
  timer = setInterval(() => {
    const now = performance.now();
    if (now - startedAt > MAX_FLOOD_MS) return finish();
    // Sends that fell due while answers were outstanding are skipped, not caught up: a burst would cross the line.
    const target = Math.floor((now - startedAt) / interval) + 1;
    if (due < target - 1) due = target - 1;
    while (due < target && inFlight < maxInFlight) {
      due++;
      inFlight++;
      report.sent++;
      client.emit(body, answer);
    }
  }, 1);
}

function finish(): void {
  if (report.floodMs > 0 || startedAt === 0) return;
  clearInterval(timer);
  report.floodMs = performance.now() - startedAt;
  send(report);
  clearTimeout(lifetime);
  client.close();
  setTimeout(() => process.exit(0), 100).unref();
}

process.on("message", (message) => {
  if (message === "go" && startedAt === 0) {
    startedAt = performance.now();
    send({ type: "started" });
    flood();
  } else if (message === "stop") {
    if (startedAt === 0) process.exit(0);
    finish();
  }
});
process.on("disconnect", () => process.exit(0));
