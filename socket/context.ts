/**
 * Who a socket is when it writes, and the two helpers every handler module
 * shares: `guard` (an async listener whose failure is answered, never left
 * unhandled) and `refuse` (a refusal counted, logged and answered).
 */
import type { Writer } from "../lib/board/board-service.js";
import type { LiveState } from "../lib/live-state/live-state.js";
import type { RejectionReason } from "../lib/ops/metrics.js";
import { hostOf, isAdminKey, ownerOf } from "../lib/people/player-keys.js";
import type { AckCallback } from "../lib/protocol/events.js";
import { parseHandshakeAuth, type ParseResult } from "../lib/protocol/schemas.js";
import type { CirclesSocket } from "./types.js";

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
export function writerOf(socket: CirclesSocket, presence: Pick<LiveState, "initialsOf">): Writer {
  const { owner, host, admin } = socket.data;
  return { key: socket.id, initials: presence.initialsOf(socket.id), owner, host, admin };
}

/** `io.ts`'s guarded listener: failures logged and answered. */
export type Guard = <T extends object>(handler: (reply: AckCallback<T>, payload: unknown) => Promise<void>) => (...args: unknown[]) => void;

/** `io.ts`'s refusal: counted, logged and answered `{ok: false, error}`. */
export type Refuse = (event: string, reason: RejectionReason, error: string, reply: AckCallback<never>) => void;

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
