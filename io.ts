/**
 * The Socket.IO server: it admits each connection (its handshake, a removed
 * player kept out, the flood guard's probation) and hands it to
 * `socket/events/connection.ts`, whose handlers check each event at the edge and
 * call the board service or the board's live state; relaying is
 * `socket/relay/fanout.ts`'s, bringing sockets onto their board
 * `socket/joins.ts`'s. The rules live in `lib/`.
 */
import type { Server as HttpServer } from "node:http";
import { Server, type ServerOptions } from "socket.io";
import type { BoardService } from "./lib/board/board-service.js";
import { clientAddress } from "./lib/limits/client-address.js";
import type { FloodGuard } from "./lib/limits/flood-guard.js";
import type { Logger } from "./lib/ops/logger.js";
import type { Metrics } from "./lib/ops/metrics.js";
import { corsOrigin, isOriginAllowed, type OriginPolicy } from "./lib/limits/origins.js";
import type { LiveState } from "./lib/live-state/live-state.js";
import type { WriteLimiter } from "./lib/limits/rate-limit.js";
import { DEFAULT_BOARD } from "./lib/protocol/rules.js";
import { parseHandshake } from "./lib/protocol/schemas.js";
import { keysOf, type ServerParts } from "./socket/events/context.js";
import { onConnection } from "./socket/events/connection.js";
import { createRoomNotices } from "./socket/room-notices.js";
import { adminOf } from "./lib/people/player-keys.js";
import { ROOM_ERRORS } from "./lib/board/room-rules.js";
import type { LiveBoard } from "./lib/board/live-board.js";
import { coalesceWrites } from "./socket/relay/coalesced-writes.js";
import { createChat } from "./socket/chat.js";
import { createCursors } from "./socket/cursors.js";
import { createFanout } from "./socket/relay/fanout.js";
import { createJoins } from "./socket/joins.js";
import { shareChangesAcrossNodes } from "./socket/relay/nodes.js";
import { snapshotParser } from "./socket/relay/snapshot-parser.js";
import type { CirclesServer } from "./socket/types.js";

export type { CirclesServer } from "./socket/types.js";

export interface IoDeps {
  boards: BoardService;
  /** Who is on each board, on every node. */
  presence: LiveState;
  logger: Logger;
  /** Larger messages are refused by the transport before they are parsed. */
  maxPayloadBytes: number;
  origins: OriginPolicy;
  floodGuard: FloodGuard;
  /** Registrations and `sync-board` count against the same allowance as a connection's writes. */
  limiter: WriteLimiter;
  /** Chat messages have an allowance of their own: a chatty player can still draw. */
  chatLimiter: WriteLimiter;
  /** Reverse proxies to see through for a client's address (TRUST_PROXY). */
  trustProxy: number;
  metrics: Pick<Metrics, "rejected" | "timeBroadcast" | "floodCutOffs">;
  /** The adapter of several nodes on one store (Redis); unset, this node is the only one. */
  adapter?: ServerOptions["adapter"];
  /** With the adapter: registers a listener for the Redis connection coming back after an outage. */
  onRedisReconnect?: (listener: () => void) => void;
  /** ADMIN_KEY: whoever connects with it has the host's powers on every board. */
  adminKey?: string | undefined;
}

export interface CirclesIo {
  io: CirclesServer;
  /** Send every message still waiting for its tick (a shutdown). */
  flush(): void;
  /** Runs `reply` once the board's changes stored so far have gone to this node's lesson clients (see `Fanout.afterRelay`). */
  afterRelay(board: string, reply: () => void): void;
}

/** The events clients may send, each with its handler. */
export { HANDLERS as CLIENT_EVENTS } from "./socket/events/handlers.js";

export function createIo(httpServer: HttpServer, deps: IoDeps): CirclesIo {
  // Kept only as a hash, compared in constant time; never logged.
  const adminHash = deps.adminKey === undefined ? undefined : adminOf(deps.adminKey);
  const io: CirclesServer = new Server(httpServer, {
    parser: snapshotParser,
    maxHttpBufferSize: deps.maxPayloadBytes,
    // Runs on every handshake, polling and WebSocket alike: CORS alone would not stop upgrades.
    allowRequest: (req, callback) => callback(null, isOriginAllowed(req.headers.origin, req.headers.host, deps.origins)),
    cors: { origin: corsOrigin(deps.origins) },
    ...(deps.adapter ? { adapter: deps.adapter } : {}),
  });
  // Handshakes refused by the transport (a foreign Origin, a bad session id) never reach `io.use`.
  io.engine.on("connection_error", (error: { req: { headers: { origin?: string } }; code: number; message: string }) => {
    deps.logger.info({ origin: error.req.headers.origin, code: error.code, error: error.message }, "rejected connection");
  });

  io.use((socket, next) => {
    const parsed = parseHandshake(socket.handshake.query);
    if (!parsed.ok) {
      deps.logger.info({ socket: socket.id, error: parsed.error }, "rejected connection");
      return next(new Error(parsed.error));
    }
    socket.data.board = parsed.value.board ?? DEFAULT_BOARD;
    socket.data.protocol = parsed.value.protocol;
    socket.data.since = parsed.value.since;
    const keys = keysOf(socket.handshake.auth, adminHash);
    if (!keys.ok) {
      deps.logger.info({ socket: socket.id, error: keys.error }, "rejected connection");
      return next(new Error(keys.error));
    }
    socket.data.owner = keys.value.owner;
    socket.data.host = keys.value.host;
    socket.data.admin = keys.value.admin;
    next();
  });

  // A player the host removed stays out, on every node, until the host lets them back.
  io.use((socket, next) => {
    const { board, owner } = socket.data;
    if (owner === undefined) return next();
    const refuseRemoved = (live: LiveBoard) => {
      if (!live.isRemoved(owner)) return next();
      deps.logger.info({ socket: socket.id, board }, "refused a removed player");
      next(new Error(ROOM_ERRORS.removed));
    };
    const live = deps.boards.peek(board);
    if (live) return refuseRemoved(live);
    deps.boards.read(board).then(refuseRemoved, (error: unknown) => {
      deps.logger.error({ err: error, board }, "could not load the board");
      next(new Error("the board could not be loaded: try again shortly"));
    });
  });

  io.use((socket, next) => {
    socket.data.address = clientAddress(socket.request, deps.trustProxy);
    // Socket.IO ignores a middleware's promise: a rejection must become next(error) here.
    deps.floodGuard.admit(socket, socket.data.address).then(
      (probation) => {
        // Not refused: a class behind one address must not be kept out by one flooder among them.
        if (probation) deps.logger.info({ socket: socket.id, address: socket.data.address }, "connection on probation during flood cool-down");
        next();
      },
      (error: unknown) => {
        deps.logger.error({ err: error, socket: socket.id }, "flood guard failed");
        next(new Error("internal error"));
      },
    );
  });

  coalesceWrites(io);
  const fanout = createFanout(io, deps.presence, deps.metrics, deps.logger);
  deps.boards.subscribe(fanout.listener);
  deps.boards.subscribe(createRoomNotices(io, deps.boards, deps.presence, deps.logger));
  const joins = createJoins(deps.presence, fanout);
  if (deps.adapter) shareChangesAcrossNodes(io, deps.boards, deps.logger, deps.onRedisReconnect ?? (() => undefined));
  // Other nodes' people changed: this node's sockets of the board hear it as they hear their own.
  deps.presence.onRemoteChange((board) => fanout.peopleChanged(board));
  const { boards, presence, logger, metrics, floodGuard, limiter, chatLimiter } = deps;
  const chat = createChat(io, presence);
  const cursors = createCursors(io, logger);
  const server: ServerParts = { boards, presence, logger, metrics, floodGuard, limiter, chatLimiter, fanout, joins, chat, cursors };
  io.on("connection", (socket) => onConnection(socket, server));
  return { io, flush: fanout.flush, afterRelay: fanout.afterRelay };
}
