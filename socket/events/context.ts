/**
 * What a connection is to its handlers: one plain `SocketContext` per
 * socket, pointing at the parts every connection of the server shares
 * (`ServerParts`), so that no connection holds closures of its own. Also
 * who a socket is when it writes, and the refusal every handler module
 * uses: counted, logged and answered.
 */
import type { BoardService, Writer } from "../../lib/board/board-service.js";
import type { EventCounter, FloodGuard } from "../../lib/limits/flood-guard.js";
import type { WriteLimiter } from "../../lib/limits/rate-limit.js";
import type { LiveState } from "../../lib/live-state/live-state.js";
import type { Logger } from "../../lib/ops/logger.js";
import type { Metrics, RejectionReason } from "../../lib/ops/metrics.js";
import { hostOf, isAdminKey, ownerOf } from "../../lib/people/player-keys.js";
import type { AckCallback, ClientToServerEvents, ErrorCode } from "../../lib/protocol/events.js";
import { parseHandshakeAuth, type ParseResult } from "../../lib/protocol/schemas.js";
import type { Chat } from "../chat.js";
import type { Cursors } from "../cursors.js";
import type { Fanout } from "../relay/fanout.js";
import type { Joins } from "../joins.js";
import type { CirclesSocket } from "../types.js";

/** What the handlers of every connection call: made once per server by `createIo`. */
export interface ServerParts {
  boards: BoardService;
  /** Who is on each board, on every node. */
  presence: LiveState;
  logger: Logger;
  metrics: Pick<Metrics, "rejected" | "floodCutOffs">;
  floodGuard: FloodGuard;
  /** Registrations and `sync-board` count against the same allowance as a connection's writes. */
  limiter: WriteLimiter;
  chatLimiter: WriteLimiter;
  fanout: Fanout;
  joins: Joins;
  chat: Chat;
  cursors: Cursors;
}

/** All a connection holds besides its socket: made when it connects (`socket/events/connection.ts`). */
export interface SocketContext {
  readonly socket: CirclesSocket;
  readonly board: string;
  readonly server: ServerParts;
  /** The flood guard's count of the events this connection sends. */
  readonly events: EventCounter;
  /** True while this second's pointer moves are few enough to pass without counting against `events`. */
  readonly pointerMoves: () => boolean;
  /** The connection holds its board live, from the moment it loads until the connection ends. */
  holding: boolean;
}

export type ClientEvent = keyof ClientToServerEvents;

/** The acknowledgement a client may ask for with `event`. */
export type ReplyOf<E extends ClientEvent> = Extract<Parameters<ClientToServerEvents[E]>[number], AckCallback<never>>;

/**
 * The server's side of one client event: `payload` is whatever the client
 * sent, unchecked; `reply` does nothing when it asked for no answer. A
 * failure is logged and answered "internal error" by the caller.
 */
export type Handler<E extends ClientEvent> = (context: SocketContext, payload: unknown, reply: ReplyOf<E>) => Promise<void>;

/** One handler for every event a client may send: the type makes sure none is forgotten. */
export type Handlers = { [E in ClientEvent]: Handler<E> };

/** What the handshake's keys make a socket, for `socket.data`; a bad key refuses the connection, saying why. */
export interface SocketKeys {
  owner: string | undefined;
  host: string | undefined;
  admin: boolean;
}

/** The hashes of the handshake's keys; `adminHash`: the hash of ADMIN_KEY, when set. */
export function keysOf(auth: unknown, adminHash: string | undefined): ParseResult<SocketKeys> {
  const parsed = parseHandshakeAuth(auth ?? {});
  if (!parsed.ok) return parsed;
  const { playerKey, hostKey, adminKey } = parsed.value;
  return {
    ok: true,
    value: {
      owner: playerKey === undefined ? undefined : ownerOf(playerKey),
      host: hostKey === undefined ? undefined : hostOf(hostKey),
      admin: isAdminKey(adminKey, adminHash),
    },
  };
}

/** The socket as a writer of its board. */
export function writerOf({ socket, server }: SocketContext): Writer {
  const { owner, host, admin } = socket.data;
  return { key: socket.id, initials: server.presence.initialsOf(socket.id), owner, host, admin };
}

/** The connection's logger: made when something is logged, not kept on every idle connection. */
export function logOf({ socket, board, server }: SocketContext): Logger {
  return server.logger.child({ board, socket: socket.id });
}

/** A refusal's code (see `ErrorCode`), from why it was refused. */
function codeOf(reason: RejectionReason): ErrorCode {
  if (reason === "too-large") return "invalid";
  if (reason === "flood") return "rate-limited";
  return reason;
}

/** A refused event, counted and logged; `event` is its name for the metric's label. */
export function rejected(context: SocketContext, event: string, reason: RejectionReason, error: string): void {
  context.server.metrics.rejected(event, reason);
  logOf(context).info({ event, reason, error }, "rejected payload");
}

/** A refused event, counted, logged and answered `{ok: false, error, code}`. */
export function refuse(context: SocketContext, event: string, reason: RejectionReason, error: string, reply: AckCallback<never>): void {
  rejected(context, event, reason, error);
  reply({ ok: false, error, code: codeOf(reason) });
}

/** Takes one from the connection's write allowance; refuses the request when none is left. */
export async function overLimit(context: SocketContext, event: string, reply: AckCallback<never>): Promise<boolean> {
  if (await context.server.limiter.tryConsume(context.socket.id)) return false;
  refuse(context, event, "rate-limited", "rate limited", reply);
  return true;
}

/**
 * Lets go of the handshake's headers, which Engine.IO and Socket.IO would
 * otherwise keep for the connection's whole life (Engine.IO's WebSocket
 * upgrade holds the request until the socket closes): once the middlewares
 * have read the query, the keys and the address, nothing needs them, and
 * with thousands of sockets they are a good part of what each one holds.
 */
export function releaseHandshake(socket: CirclesSocket): void {
  const { request } = socket;
  request.headers = {};
  request.rawHeaders = [];
  socket.handshake.headers = {};
  (socket.conn as unknown as { request: unknown }).request = null;
}
