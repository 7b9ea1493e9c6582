/**
 * A child process that floods one board with `add-circle` writes, as fast
 * as the server answers, as one client would: on one connection, and on a
 * new one whenever the server cuts it off (retrying while it refuses), so
 * that cutting a flooder off is no way round the limits. Usage, through
 * fork(): flooder.ts <url> <board> <maxWrites> <maxInFlight>.
 *
 * Tells its parent {type: "ready"} once connected; on "go" it emits
 * circles, each with an ack, in chunks (so that acks and "stop" are still
 * heard), keeping at most <maxInFlight> unanswered; on "stop", or after
 * <maxWrites> or MAX_FLOOD_MS, it stops, waits up to DRAIN_MS for the
 * outstanding acks, reports {type: "done"} and exits.
 */
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { CircleInput } from "../../lib/events.js";
import { openClient, whenReady, type BenchClient } from "./clients.js";

export interface FloodReport {
  type: "done";
  sent: number;
  accepted: number;
  rateLimited: number;
  otherErrors: number;
  /** Never answered: in flight when the server cut a connection off, or when the drain timed out. */
  unanswered: number;
  /** Connections opened: 1 unless the server cut the flooder off and it came back. */
  connections: number;
  /** Of those, how many the server refused. */
  refusedConnections: number;
  floodMs: number;
  /** From the first emit to the last answer received. */
  answeredMs: number;
}

export type FlooderMessage = { type: "ready" } | { type: "started" } | FloodReport;

const MAX_FLOOD_MS = 30_000;
const DRAIN_MS = 10_000;
const CHUNK = 100;
const RETRY_MS = 50;
/** Far outside the sequence numbers the measured client uses. */
const FLOOD_CIRCLE: CircleInput = { initials: "FL", x: 1919, y: 1080, dia: 3, rgba: "#f00" };

const [url, board, maxWritesText, maxInFlightText] = process.argv.slice(2);
if (url === undefined || board === undefined || maxWritesText === undefined || maxInFlightText === undefined) {
  throw new Error("usage (through fork): flooder.ts <url> <board> <maxWrites> <maxInFlight>");
}
const maxWrites = Number(maxWritesText);
const maxInFlight = Number(maxInFlightText);
const send = (message: FlooderMessage) => process.send?.(message);
const lifetime = setTimeout(() => process.exit(1), MAX_FLOOD_MS + DRAIN_MS + 10_000);

const counts = { sent: 0, accepted: 0, rateLimited: 0, otherErrors: 0, unanswered: 0, connections: 0, refusedConnections: 0 };
let inFlight = 0;
let socket: BenchClient | undefined;
let startedAt = 0;
let lastAnswerAt = 0;
let stopping = false;

/**
 * A new connection, retried every RETRY_MS while the server refuses it; when
 * the server cuts one off, what it had in flight is lost and the flood goes
 * on on the next.
 */
async function connect(): Promise<void> {
  for (;;) {
    const next = openClient(url as string, board as string);
    counts.connections++;
    try {
      await whenReady(next);
    } catch {
      next.disconnect();
      counts.refusedConnections++;
      if (stopping) return;
      await sleep(RETRY_MS);
      continue;
    }
    next.once("disconnect", () => {
      if (socket !== next) return;
      socket = undefined;
      counts.unanswered += inFlight;
      inFlight = 0;
      if (!stopping) void connect();
    });
    socket = next;
    return;
  }
}

function answer(ok: boolean, error?: string): void {
  inFlight--;
  lastAnswerAt = performance.now();
  if (ok) counts.accepted++;
  else if (error === "rate limited") counts.rateLimited++;
  else counts.otherErrors++;
}

async function flood(): Promise<void> {
  const deadline = startedAt + MAX_FLOOD_MS;
  while (!stopping && counts.sent < maxWrites && performance.now() < deadline) {
    const current = socket;
    const room = Math.min(CHUNK, maxWrites - counts.sent, maxInFlight - inFlight);
    if (current === undefined || room <= 0) {
      await sleep(current === undefined ? 5 : 0);
      continue;
    }
    for (let i = 0; i < room; i++) {
      counts.sent++;
      inFlight++;
      current.emit("add-circle", FLOOD_CIRCLE, (ack) => {
        if (socket === current) answer(ack.ok, ack.ok ? undefined : ack.error);
      });
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const floodMs = performance.now() - startedAt;
  stopping = true;
  const drainBy = performance.now() + DRAIN_MS;
  while (inFlight > 0 && socket !== undefined && performance.now() < drainBy) await sleep(10);
  send({ type: "done", ...counts, unanswered: counts.unanswered + inFlight, floodMs, answeredMs: lastAnswerAt - startedAt });
  clearTimeout(lifetime);
  socket?.disconnect();
  setTimeout(() => process.exit(0), 100).unref();
}

process.on("message", (message) => {
  if (message === "go" && startedAt === 0) {
    startedAt = performance.now();
    send({ type: "started" });
    void flood();
  } else if (message === "stop") {
    stopping = true;
    if (startedAt === 0) process.exit(0);
  }
});
process.on("disconnect", () => process.exit(0));

await connect();
send({ type: "ready" });
