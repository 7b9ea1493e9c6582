/**
 * Prometheus metrics, served at `/metrics`. Each server has its own
 * registry, never prom-client's global one, so that a process (a test run)
 * can hold several servers without their metrics colliding.
 *
 * The gauges are read from the live state when scraped; the counters are bumped
 * by the socket handlers, the REST API and the board service's listener.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { BoardListener, WriteFailure } from "../board/board-service.js";
import type { LiveState } from "../live-state/live-state.js";

/**
 * Why a payload was refused: it failed validation or was too large, the
 * flood guard dropped it before any handler saw it (`flood`), or the write
 * was refused.
 */
export type RejectionReason = "invalid" | "too-large" | "flood" | WriteFailure["code"];

export interface Metrics {
  readonly registry: Registry;
  readonly circlesAdded: Counter;
  readonly clears: Counter;
  readonly rejectedPayloads: Counter<"event" | "reason">;
  readonly rateLimitedEvents: Counter<"event">;
  readonly broadcastSeconds: Histogram<"event">;
  /** Connections cut off by the flood guard. */
  readonly floodCutOffs: Counter;
  /** Count a refused payload; a rate-limited one is also counted as a rate-limited event. */
  rejected(event: string, reason: RejectionReason): void;
  /** Run a broadcast (`io.to(room).emit(...)`) and record how long it took. */
  timeBroadcast<T>(event: string, broadcast: () => T): T;
  /** Counts circles added and clears; subscribe it to the board service. */
  readonly boardListener: BoardListener;
}

// An in-process emit to one room takes microseconds to a few milliseconds.
const BROADCAST_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25];

export function createMetrics(presence: Pick<LiveState, "connections" | "playerCount" | "boards">): Metrics {
  const registry = new Registry();
  const registers = [registry];
  // Process, heap, GC and event-loop metrics, including nodejs_eventloop_lag_seconds.
  collectDefaultMetrics({ register: registry });

  new Gauge({
    name: "circles_connected_sockets",
    help: "Sockets connected, registered as players or not.",
    registers,
    collect() {
      this.set(presence.connections);
    },
  });
  new Gauge({
    name: "circles_registered_players",
    help: "Connected sockets that have registered their initials.",
    registers,
    collect() {
      this.set(presence.playerCount);
    },
  });
  new Gauge({
    name: "circles_boards_with_sockets",
    help: "Boards with at least one connected socket.",
    registers,
    collect() {
      this.set(presence.boards().size);
    },
  });

  const circlesAdded = new Counter({
    name: "circles_circles_relayed_total",
    help: "Circles this node relayed to its sockets: drawn here (by socket or REST) or on another node, or brought back by an undone clear.",
    registers,
  });
  const clears = new Counter({
    name: "circles_clears_total",
    help: "Clears this node relayed to its sockets: made here (by socket or REST) or on another node.",
    registers,
  });
  const rejectedPayloads = new Counter({
    name: "circles_rejected_payloads_total",
    help: "Payloads refused, by event and reason (invalid, too-large, rate-limited, unavailable).",
    labelNames: ["event", "reason"] as const,
    registers,
  });
  const rateLimitedEvents = new Counter({
    name: "circles_rate_limited_events_total",
    help: "Writes refused because their sender was over the rate limit, by event.",
    labelNames: ["event"] as const,
    registers,
  });
  const floodCutOffs = new Counter({
    name: "circles_flood_cutoffs_total",
    help: "Connections cut off for sending far more events than the flood guard allows.",
    registers,
  });
  const broadcastSeconds = new Histogram({
    name: "circles_broadcast_fanout_seconds",
    help: "Time spent handing one broadcast to every socket of a board, by event.",
    labelNames: ["event"] as const,
    buckets: BROADCAST_BUCKETS,
    registers,
  });

  return {
    registry,
    circlesAdded,
    clears,
    rejectedPayloads,
    rateLimitedEvents,
    broadcastSeconds,
    floodCutOffs,
    rejected(event, reason) {
      rejectedPayloads.inc({ event, reason });
      if (reason === "rate-limited") rateLimitedEvents.inc({ event });
    },
    timeBroadcast(event, broadcast) {
      const done = broadcastSeconds.startTimer({ event });
      try {
        return broadcast();
      } finally {
        done();
      }
    },
    boardListener: {
      changed(_board, events) {
        for (const event of events) {
          if (event.type === "add") circlesAdded.inc();
          else if (event.type === "clear") clears.inc();
        }
      },
    },
  };
}
