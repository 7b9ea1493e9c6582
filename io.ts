/**
 * The Socket.IO server: it checks each incoming event at the edge, hands it
 * to the board service or the board's live state, and leaves relaying to
 * `socket/fanout.ts` and bringing sockets onto their board to
 * `socket/joins.ts`. The rules live in `lib/`.
 */
import type { Server as HttpServer } from "node:http";
import { Server, type ServerOptions } from "socket.io";
import type { BoardService } from "./lib/board/board-service.js";
import type { AckCallback, BoardSync, Circle, ClientToServerEvents, ErrorCode } from "./lib/protocol/events.js";
import { clientAddress } from "./lib/limits/client-address.js";
import type { FloodGuard } from "./lib/limits/flood-guard.js";
import type { Logger } from "./lib/ops/logger.js";
import type { Metrics, RejectionReason } from "./lib/ops/metrics.js";
import { corsOrigin, isOriginAllowed, type OriginPolicy } from "./lib/limits/origins.js";
import type { LiveState } from "./lib/live-state/live-state.js";
import type { WriteLimiter } from "./lib/limits/rate-limit.js";
import { DEFAULT_BOARD } from "./lib/protocol/rules.js";
import { parseCircleInput, parseClearOperation, parseHandshake, parseInitials, parseSeq } from "./lib/protocol/schemas.js";
import { cursorBudget } from "./lib/limits/cursor-budget.js";
import { splitAck } from "./lib/protocol/acks.js";
import { listenForBoardControls } from "./socket/board-controls.js";
import { keysOf, releaseHandshake, writerOf, type Guard } from "./socket/context.js";
import { listenForHostControls } from "./socket/host-controls.js";
import { createRoomNotices } from "./socket/room-notices.js";
import { adminOf } from "./lib/people/player-keys.js";
import { allowed, ROOM_ERRORS } from "./lib/board/room-rules.js";
import type { LiveBoard } from "./lib/board/live-board.js";
import { coalesceWrites } from "./socket/coalesced-writes.js";
import { listenForChatAndPointers } from "./socket/chat-and-pointers.js";
import { createChat, type Chat } from "./socket/chat.js";
import { createCursors, type Cursors } from "./socket/cursors.js";
import { createFanout, type Fanout } from "./socket/fanout.js";
import { createJoins, type Joins } from "./socket/joins.js";
import { shareChangesAcrossNodes } from "./socket/nodes.js";
import { snapshotParser } from "./socket/snapshot-parser.js";
import type { CirclesServer, CirclesSocket } from "./socket/types.js";

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
}

/** The events clients may send; the type makes sure none is forgotten. */
export const CLIENT_EVENTS: Record<keyof ClientToServerEvents, true> = {
  "register-player": true,
  "add-circle": true,
  "clear-circles": true,
  "clear-display": true,
  "sync-board": true,
  message: true,
  cursor: true,
  "undo-circle": true,
  "undo-clear": true,
  "claim-board": true,
  "lock-board": true,
  "set-rules": true,
  "remove-player": true,
  "readmit-player": true,
  "delete-board": true,
};

/** A refusal's code (see `ErrorCode`), from why it was refused. */
export function codeOf(reason: RejectionReason): ErrorCode {
  if (reason === "too-large") return "invalid";
  if (reason === "flood") return "rate-limited";
  return reason;
}

/** An event's name for logs and metric labels: clients choose names, so any other is "unknown". */
function eventLabel(event: unknown): string {
  return typeof event === "string" && Object.hasOwn(CLIENT_EVENTS, event) ? event : "unknown";
}

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
  const live = { fanout, joins, chat: createChat(io, deps.presence), cursors: createCursors(io, deps.logger) };
  io.on("connection", (socket) => onConnection(socket, deps, live));
  return { io, flush: fanout.flush };
}

interface LiveParts {
  fanout: Fanout;
  joins: Joins;
  chat: Chat;
  cursors: Cursors;
}

function onConnection(socket: CirclesSocket, deps: IoDeps, { fanout, joins, chat, cursors }: LiveParts): void {
  const { boards, presence, metrics } = deps;
  const { board } = socket.data;
  releaseHandshake(socket);
  // Made when something is logged, not kept on every idle connection.
  const log = () => deps.logger.child({ board, socket: socket.id });
  presence.join(socket.id, board, socket.data.owner ?? null);
  fanout.peopleChanged(board);
  log().info({ protocol: socket.data.protocol }, "connected");

  const rejected = (event: string, reason: RejectionReason, error: string) => {
    metrics.rejected(event, reason);
    log().info({ event, reason, error }, "rejected payload");
  };
  const refuse = (event: string, reason: RejectionReason, error: string, reply: AckCallback<never>) => {
    rejected(event, reason, error);
    reply({ ok: false, error, code: codeOf(reason) });
  };
  /** Takes one from the connection's write allowance; refuses the request when none is left. */
  const overLimit = async (event: string, reply: AckCallback<never>) => {
    if (await deps.limiter.tryConsume(socket.id)) return false;
    refuse(event, "rate-limited", "rate limited", reply);
    return true;
  };

  const guard: Guard = (handler) => guarded(log, handler);

  // Before any listener: events over the flood guard's budget are not handled at all.
  const events = deps.floodGuard.counter(socket);
  const pointerMoves = cursorBudget();
  socket.use((packet, next) => {
    if (packet[0] === "cursor" && pointerMoves()) return next();
    const verdict = events.count(next);
    if (verdict === "pass") return next();
    // On probation: the counter calls `next` once the event has been earned.
    if (verdict === "hold") return;
    if (verdict === "drop") {
      rejected(eventLabel(packet[0]), "flood", "rate limited");
      splitAck(packet.slice(1)).reply({ ok: false, error: "rate limited", code: "rate-limited" });
      return;
    }
    if (socket.disconnected) return;
    metrics.floodCutOffs.inc();
    log().warn({ address: socket.data.address }, "cut off a flooding connection");
    deps.floodGuard.coolDown(socket.data.address).catch((error: unknown) => log().error({ err: error }, "flood guard failed"));
    socket.disconnect(true);
  });
  // Everything from a socket sent away (removed, or its board deleted) and about to be disconnected, and
  // events nothing listens for (their acknowledgements would never be answered), are refused here.
  socket.use(([event, ...args], next) => {
    const { leaving } = socket.data;
    const label = eventLabel(event);
    if (leaving !== undefined) {
      rejected(label, "refused", leaving);
      return splitAck(args).reply({ ok: false, error: leaving, code: "refused" });
    }
    if (label !== "unknown") return next();
    rejected("unknown", "invalid", "unknown event");
    splitAck(args).reply({ ok: false, error: "unknown event", code: "invalid" });
  });

  socket.on(
    "register-player",
    guarded<{ initials: string; id: string; colour: string }>(log, async (reply, payload) => {
      const initials = parseInitials(payload);
      if (!initials.ok) return refuse("register-player", "invalid", initials.error, reply);
      if (await overLimit("register-player", reply)) return;
      const first = presence.initialsOf(socket.id) === undefined;
      // The same initials again change nothing, so nothing is announced.
      if (presence.register(socket.id, initials.value)) fanout.peopleChanged(board);
      if (first) chat.joined(socket, initials.value);
      const player = presence.playerOf(socket.id);
      if (!player) return reply({ ok: false, error: "internal error", code: "internal" });
      reply({ ok: true, ...player });
    }),
  );

  listenForChatAndPointers(socket, {
    chat,
    cursors,
    presence,
    mayChat: () => {
      const live = boards.peek(board);
      return live === undefined || allowed(live.rules.chat, live.host, socket.data);
    },
    chatLimiter: deps.chatLimiter,
    guard,
    refuse,
    log,
  });

  socket.on(
    "add-circle",
    guarded<{ circle: Circle; seq: number }>(log, async (reply, payload) => {
      const input = parseCircleInput(payload);
      if (!input.ok) return refuse("add-circle", "invalid", input.error, reply);
      const result = await boards.addCircle(board, input.value, writerOf(socket, presence));
      if (!result.ok) return refuse("add-circle", result.code, result.error, reply);
      // The lesson's `io.emit('add-circle', …)` is not here: `socket/fanout.ts`, subscribed to the board service in
      // `createIo`, relays every stored change to the board's sockets. `afterRelay` only holds this answer until that relay has left.
      fanout.afterRelay(board, () => reply({ ok: true, circle: result.circle, seq: result.seq }));
    }),
  );

  const clear = guarded<{ seq: number }>(log, async (reply, payload) => {
    const which = parseClearOperation(payload);
    if (!which.ok) return refuse("clear-circles", "invalid", which.error, reply);
    const result = await boards.clear(board, writerOf(socket, presence), which.value?.op);
    if (!result.ok) return refuse("clear-circles", result.code, result.error, reply);
    fanout.afterRelay(board, () => reply({ ok: true, seq: result.seq }));
  });
  socket.on("clear-circles", clear);
  socket.on("clear-display", clear);

  const controls = { boards, fanout, writer: () => writerOf(socket, presence), guard, refuse };
  listenForBoardControls(socket, controls);
  listenForHostControls(socket, { ...controls, presence });

  socket.on(
    "sync-board",
    guarded<BoardSync>(log, async (reply, payload) => {
      const since = parseSeq(payload);
      if (!since.ok) return refuse("sync-board", "invalid", since.error, reply);
      // A whole board is the dearest answer the server gives: it counts as a write.
      if (await overLimit("sync-board", reply)) return;
      const live = boards.peek(board);
      if (!live) return reply({ ok: false, error: "the board is still loading: try again shortly", code: "unavailable" });
      const missed = live.since(since.value);
      reply(missed ? { ok: true, events: missed } : { ok: true, snapshot: live.snapshot() });
    }),
  );

  // The socket holds its board live from the moment it loads until it leaves.
  let holding = false;
  socket.on("disconnect", (reason) => {
    const initials = presence.initialsOf(socket.id);
    presence.leave(socket.id);
    chat.left(socket, initials);
    fanout.peopleChanged(board);
    if (holding) boards.release(board);
    log().info({ reason }, "disconnected");
  });

  boards
    .open(board, (live) => joins.admit(socket, live))
    .then(
      () => {
        if (socket.disconnected) return boards.release(board);
        holding = true;
        chat.arrived(socket);
        chat.welcome(socket).catch((error: unknown) => log().warn({ err: error }, "could not send the chat history"));
      },
      (error: unknown) => {
        log().error({ err: error }, "could not load the board");
        socket.disconnect(true);
      },
    );
}

/**
 * An async listener whose failure is logged and answered, never left as an
 * unhandled rejection (which would end the process).
 */
function guarded<T extends object>(log: () => Logger, handler: (reply: AckCallback<T>, payload: unknown) => Promise<void>) {
  return (...args: unknown[]) => {
    const { payload, reply } = splitAck<T>(args);
    handler(reply, payload).catch((error: unknown) => {
      log().error({ err: error }, "event handler failed");
      reply({ ok: false, error: "internal error", code: "internal" });
    });
  };
}
