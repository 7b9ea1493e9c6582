/**
 * Puts the pieces together: the board service over a store, the Express app
 * on an HTTP server, and Socket.IO attached to that server. `bin/www.ts`
 * calls this with the configured store (and, with several nodes, their
 * link); tests call it with their own.
 */
import http from "node:http";
import { createApp } from "./app.js";
import { createIo, type CirclesServer } from "./io.js";
import { BoardService } from "./lib/board/board-service.js";
import type { Config } from "./lib/ops/config.js";
import type { Logger } from "./lib/ops/logger.js";
import { createMetrics, type Metrics } from "./lib/ops/metrics.js";
import { createFloodGuard } from "./lib/limits/flood-guard.js";
import type { LiveState } from "./lib/live-state/live-state.js";
import { MemoryLiveState } from "./lib/live-state/memory-live-state.js";
import { createWriteLimiter } from "./lib/limits/rate-limit.js";
import type { BoardStore } from "./lib/store/board-store.js";
import { shutDown } from "./shutdown.js";
import { startRetentionSweep } from "./lib/board/retention-sweep.js";
import type { NodeLink } from "./socket/relay/redis-nodes.js";

export type ServerConfig = Pick<Config, "maxCircles" | "rateLimit" | "maxPayloadBytes" | "origins" | "trustProxy" | "adminKey" | "retentionDays">;

/** How long new connections from an address cut off for flooding are on probation. */
const FLOOD_COOLDOWN_SECONDS = 30;

/** About one chat message a second, five in a row: people type, bots flood. */
const CHAT_RATE_LIMIT = { perSecond: 1, burst: 5 };

/**
 * REST reads are cheap (the board's JSON is built once per version) but not
 * free: an address may read five times as often as it may write.
 */
const readRateLimit = ({ perSecond, burst }: ServerConfig["rateLimit"]) => ({ perSecond: 5 * perSecond, burst: 5 * burst });

export interface CirclesApp {
  httpServer: http.Server;
  io: CirclesServer;
  boards: BoardService;
  presence: LiveState;
  metrics: Metrics;
  /** The graceful stop (see shutdown.ts); closes the store too. */
  close(): Promise<void>;
}

export function createCirclesServer(store: BoardStore, config: ServerConfig, logger: Logger, nodes?: NodeLink): CirclesApp {
  // With several nodes, who is on a board is kept in Redis, so every node lists the same people.
  const presence = nodes?.presence ?? new MemoryLiveState();
  // With several nodes, limits are counted in Redis: an address gets one allowance however many nodes it reaches.
  const shared = (name: string) => nodes && { redis: nodes.redis, prefix: `${nodes.prefix}:${name}` };
  const limiter = createWriteLimiter(config.rateLimit, shared("writes"));
  const boards = new BoardService({
    store,
    limiter,
    maxCircles: config.maxCircles,
    onStoreError: (error, board) => logger.error({ err: error, board }, "store write failed"),
    onListenerError: (error, board) => logger.error({ err: error, board }, "announcing a change failed"),
  });
  const metrics = createMetrics(presence);
  boards.subscribe(metrics.boardListener);
  // What /readyz asks; each dependency the server needs is one check.
  const readinessChecks = [
    { name: "store", check: () => store.ping() },
    ...(nodes ? [{ name: "redis", check: async () => void (await nodes.ping()) }] : []),
    // Tells the load balancer to send no one new while the server drains.
    {
      name: "shutdown",
      check: async () => {
        if (boards.stopping) throw new Error("shutting down");
      },
    },
  ];
  const app = createApp({
    boards,
    presence,
    logger,
    maxBodyBytes: config.maxPayloadBytes,
    origins: config.origins,
    trustProxy: config.trustProxy,
    readLimiter: createWriteLimiter(readRateLimit(config.rateLimit), shared("reads")),
    metrics,
    readinessChecks,
    retentionDays: config.retentionDays,
    // Socket.IO needs the HTTP server, which needs the app: `sockets` is there before the first request.
    afterRelay: (board, reply) => sockets.afterRelay(board, reply),
  });
  const httpServer = http.createServer(app);
  const sockets = createIo(httpServer, {
    boards,
    presence,
    logger,
    maxPayloadBytes: config.maxPayloadBytes,
    origins: config.origins,
    trustProxy: config.trustProxy,
    limiter,
    chatLimiter: createWriteLimiter(CHAT_RATE_LIMIT, shared("chat")),
    floodGuard: createFloodGuard({
      // Room for every write the limit allows, and as many other events
      // (never fewer than 20, so a tight write limit leaves registering alone).
      eventsPerSecond: Math.max(2 * config.rateLimit.burst, 20),
      cutOffAfter: 2 * config.rateLimit.burst,
      cooldownSeconds: FLOOD_COOLDOWN_SECONDS,
      shared: shared("flood"),
    }),
    metrics,
    adapter: nodes?.adapter,
    onRedisReconnect: nodes?.onReconnect,
    adminKey: config.adminKey,
  });
  const { io, flush } = sockets;
  const stopSweeping = startRetentionSweep({
    retentionDays: config.retentionDays,
    boards,
    inUse: () => presence.boards(),
    onSwept: (gone) => logger.info({ boards: gone }, "deleted boards unused for BOARD_RETENTION_DAYS"),
    onError: (error) => logger.error({ err: error }, "the retention sweep failed"),
  });
  const close = () => {
    stopSweeping();
    return shutDown({ httpServer, io, flush, presence, boards, store, nodes });
  };
  return { httpServer, io, boards, presence, metrics, close };
}
