/**
 * The Socket.IO server: it checks each incoming event at the edge, hands it
 * to the board service or the presence map, and relays what they report to
 * the sockets of the right board. The rules live in `lib/`.
 */
import type { Server as HttpServer } from "node:http";
import { Server, type Socket } from "socket.io";
import type { BoardService } from "./lib/board-service.js";
import type {
  AckCallback,
  Circle,
  ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from "./lib/events.js";
import { clientAddress } from "./lib/client-address.js";
import type { FloodGuard } from "./lib/flood-guard.js";
import type { Logger } from "./lib/logger.js";
import type { Metrics, RejectionReason } from "./lib/metrics.js";
import { corsOrigin, isOriginAllowed, type OriginPolicy } from "./lib/origins.js";
import type { Presence } from "./lib/presence.js";
import { DEFAULT_BOARD } from "./lib/rules.js";
import { parseBoardName, parseCircleInput, parseInitials } from "./lib/schemas.js";
import { splitAck } from "./lib/acks.js";

export type CirclesServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
type CirclesSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export interface IoDeps {
  boards: BoardService;
  presence: Presence;
  logger: Logger;
  /** Larger messages are refused by the transport before they are parsed. */
  maxPayloadBytes: number;
  origins: OriginPolicy;
  floodGuard: FloodGuard;
  /** Reverse proxies to see through for a client's address (TRUST_PROXY). */
  trustProxy: number;
  metrics: Pick<Metrics, "rejected" | "timeBroadcast" | "floodCutOffs">;
}

const room = (board: string) => `board:${board}`;

/** The events clients may send; the type makes sure none is forgotten. */
const CLIENT_EVENTS: Record<keyof ClientToServerEvents, true> = {
  "register-player": true,
  "add-circle": true,
  "clear-circles": true,
  "clear-display": true,
};

/** An event's name for logs and metric labels: clients choose names, so any other is "unknown". */
function eventLabel(event: unknown): string {
  return typeof event === "string" && Object.hasOwn(CLIENT_EVENTS, event) ? event : "unknown";
}

export function createIo(httpServer: HttpServer, deps: IoDeps): CirclesServer {
  const io: CirclesServer = new Server(httpServer, {
    maxHttpBufferSize: deps.maxPayloadBytes,
    // Runs on every handshake, polling and WebSocket alike: CORS alone would not stop upgrades.
    allowRequest: (req, callback) => callback(null, isOriginAllowed(req.headers.origin, req.headers.host, deps.origins)),
    cors: { origin: corsOrigin(deps.origins) },
  });
  // Handshakes refused by the transport (a foreign Origin, a bad session id) never reach `io.use`.
  io.engine.on("connection_error", (error: { req: { headers: { origin?: string } }; code: number; message: string }) => {
    deps.logger.info({ origin: error.req.headers.origin, code: error.code, error: error.message }, "rejected connection");
  });

  io.use((socket, next) => {
    const requested = socket.handshake.query["board"];
    const parsed = requested === undefined ? { ok: true as const, value: DEFAULT_BOARD } : parseBoardName(requested);
    if (!parsed.ok) {
      deps.logger.info({ socket: socket.id, error: parsed.error }, "rejected connection");
      return next(new Error(parsed.error));
    }
    socket.data.board = parsed.value;
    next();
  });

  io.use((socket, next) => {
    socket.data.address = clientAddress(socket.request, deps.trustProxy);
    // Socket.IO ignores a middleware's promise: a rejection must become next(error) here.
    deps.floodGuard.isCoolingDown(socket.data.address).then(
      (cooling) => {
        if (!cooling) return next();
        deps.logger.info({ socket: socket.id, address: socket.data.address }, "rejected connection during flood cool-down");
        next(new Error("too many events from this address: try again shortly"));
      },
      (error: unknown) => {
        deps.logger.error({ err: error, socket: socket.id }, "flood guard failed");
        next(new Error("internal error"));
      },
    );
  });

  const { metrics } = deps;
  deps.boards.subscribe({
    circleAdded: (board, circle) => metrics.timeBroadcast("add-circle", () => io.to(room(board)).emit("add-circle", circle)),
    circlesRemoved: (board, ids) => {
      for (const id of ids) io.to(room(board)).emit("remove-circle", { id });
    },
    cleared: (board) =>
      metrics.timeBroadcast("clear-circles", () => {
        // The lesson's clients listen for one name or the other.
        io.to(room(board)).emit("clear-circles");
        io.to(room(board)).emit("clear-display");
      }),
  });

  io.on("connection", (socket) => onConnection(io, socket, deps));
  return io;
}

function onConnection(io: CirclesServer, socket: CirclesSocket, deps: IoDeps): void {
  const { boards, presence, logger, metrics } = deps;
  const board = socket.data.board;
  const log = logger.child({ board, socket: socket.id });
  presence.join(socket.id, board);
  log.info("connected");

  const rejected = (event: string, reason: RejectionReason, error: string) => {
    metrics.rejected(event, reason);
    log.info({ event, reason, error }, "rejected payload");
  };
  const announcePlayers = () => io.to(room(board)).emit("update-player-list", presence.players(board));

  // Before any listener: events over the flood guard's budget are not handled at all.
  const events = deps.floodGuard.counter();
  socket.use((packet, next) => {
    const verdict = events.count();
    if (verdict === "pass") return next();
    if (verdict === "drop") {
      rejected(eventLabel(packet[0]), "flood", "rate limited");
      splitAck(packet.slice(1)).reply({ ok: false, error: "rate limited" });
      return;
    }
    if (socket.disconnected) return;
    metrics.floodCutOffs.inc();
    log.warn({ address: socket.data.address }, "cut off a flooding connection");
    deps.floodGuard.coolDown(socket.data.address).catch((error: unknown) => log.error({ err: error }, "flood guard failed"));
    socket.disconnect(true);
  });
  // Nothing listens for other events, so their acknowledgements would never be answered.
  socket.use(([event, ...args], next) => {
    if (eventLabel(event) !== "unknown") return next();
    rejected("unknown", "invalid", "unknown event");
    splitAck(args).reply({ ok: false, error: "unknown event" });
  });

  socket.on("register-player", (...args: unknown[]) => {
    const { payload, reply } = splitAck<{ initials: string }>(args);
    const initials = parseInitials(payload);
    if (!initials.ok) {
      rejected("register-player", "invalid", initials.error);
      return reply({ ok: false, error: initials.error });
    }
    // The same initials again change nothing, so nothing is announced.
    if (presence.register(socket.id, initials.value)) announcePlayers();
    reply({ ok: true, initials: initials.value });
  });

  socket.on("add-circle", guarded<{ circle: Circle }>(log, async (reply, payload) => {
    const input = parseCircleInput(payload);
    if (!input.ok) {
      rejected("add-circle", "invalid", input.error);
      return reply({ ok: false, error: input.error });
    }
    const result = await boards.addCircle(board, input.value, {
      key: socket.id,
      initials: presence.initialsOf(socket.id),
    });
    if (!result.ok) rejected("add-circle", result.reason, result.error);
    reply(result.ok ? { ok: true, circle: result.circle } : { ok: false, error: result.error });
  }));

  const clear = guarded(log, async (reply) => {
    const result = await boards.clear(board, { key: socket.id });
    if (!result.ok) rejected("clear-circles", result.reason, result.error);
    reply(result.ok ? { ok: true } : { ok: false, error: result.error });
  });
  socket.on("clear-circles", clear);
  socket.on("clear-display", clear);

  socket.on("disconnect", (reason) => {
    if (presence.leave(socket.id)) announcePlayers();
    log.info({ reason }, "disconnected");
  });

  void sendBoard(socket, board, boards, presence, log);
}

/**
 * An async listener whose failure is logged and answered, never left as an
 * unhandled rejection (which would end the process).
 */
function guarded<T extends object>(log: Logger, handler: (reply: AckCallback<T>, payload: unknown) => Promise<void>) {
  return (...args: unknown[]) => {
    const { payload, reply } = splitAck<T>(args);
    handler(reply, payload).catch((error: unknown) => {
      log.error({ err: error }, "event handler failed");
      reply({ ok: false, error: "internal error" });
    });
  };
}

/** The snapshot first, then the players, and only then live events. */
async function sendBoard(socket: CirclesSocket, board: string, boards: BoardService, presence: Presence, log: Logger) {
  let circles;
  try {
    circles = await boards.circles(board);
  } catch (error) {
    log.error({ err: error }, "could not load the board");
    socket.disconnect(true);
    return;
  }
  if (socket.disconnected) return;
  // Same tick as the snapshot, so no broadcast can fall between them.
  socket.emit("board-snapshot", { board, circles });
  void socket.join(room(board));
  socket.emit("update-player-list", presence.players(board));
}
