/**
 * The typed Socket.IO connection and the requests the page makes. Every
 * request is answered with an Ack; a server that does not answer in time
 * counts as an error, so the UI always hears back.
 */
import { io, type Socket } from "socket.io-client";
import type {
  Ack,
  AckCallback,
  BoardRules,
  BoardSync,
  ChatInput,
  Circle,
  CircleRequest,
  ClientToServerEvents,
  CursorPosition,
  ErrorCode,
  Refusal,
  RoomRules,
  ServerToClientEvents,
} from "../../lib/protocol/events.js";

export type CirclesSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * Longer than the server's own worst case (a database that stops answering:
 * a 10 s query timeout, then up to 5 s for a connection), so that its
 * refusal, not a guess, is what the player is told.
 */
const ACK_TIMEOUT_MS = 20_000;

/**
 * The handshake: this board, in batches (protocol 2), and once the board has
 * loaded, the last change applied, so that the server can send only what
 * was missed.
 */
export function handshakeQuery(board: string, since: number | undefined): Record<string, string> {
  return since === undefined ? { board, protocol: "2" } : { board, protocol: "2", since: String(since) };
}

/** Where Socket.IO keeps the handshake query, and the event it fires before each automatic reconnection. */
export interface QueryHolder {
  opts: { query?: unknown };
  on(event: "reconnect_attempt", listener: () => void): unknown;
}

export interface Connection {
  socket: CirclesSocket;
  /** Connect again by hand (after the server ended the connection), with a fresh `since`. */
  reconnect(): void;
}

/**
 * Make every later handshake carry the seq the page is at then. Returns the
 * refresh, for reconnections by hand, which fire no event.
 */
export function keepSinceFresh(manager: QueryHolder, board: string, seq: () => number | undefined): () => void {
  const refresh = () => {
    manager.opts.query = handshakeQuery(board, seq());
  };
  manager.on("reconnect_attempt", refresh);
  return refresh;
}

/** This browser's keys for the board (see keys.ts), sent in the handshake's `auth`, which no URL carries. */
export interface HandshakeAuth {
  playerKey: string;
  hostKey?: string;
  adminKey?: string;
}

/** The keys that are there: the server refuses a key that is not one, and `undefined` is not one. */
function authOf(auth: HandshakeAuth): HandshakeAuth {
  return Object.fromEntries(Object.entries(auth).filter(([, value]) => typeof value === "string")) as unknown as HandshakeAuth;
}

export function connect(board: string, seq: () => number | undefined, auth: HandshakeAuth): Connection {
  const socket: CirclesSocket = io({ query: handshakeQuery(board, seq()), auth: authOf(auth) });
  const refresh = keepSinceFresh(socket.io, board, seq);
  return {
    socket,
    reconnect() {
      refresh();
      socket.connect();
    },
  };
}

const ERROR_CODES: readonly string[] = ["invalid", "refused", "conflict", "rate-limited", "unavailable", "internal"] satisfies ErrorCode[];

/**
 * Check an answer's shape: the server is ours, but a proxy or an old server
 * might say anything. A refusal without a known code refuses the request
 * itself: only a server that says "not now" is asked again.
 */
function toAck<T extends object>(response: unknown): Ack<T> {
  if (typeof response !== "object" || response === null || !("ok" in response)) {
    return { ok: false, error: "unexpected answer from the server", code: "internal" };
  }
  const answer = response as Ack<T>;
  if (answer.ok === true) return answer;
  const { error, code } = answer as { error?: unknown; code?: unknown };
  return {
    ok: false,
    error: typeof error === "string" && error ? error : "request refused",
    code: typeof code === "string" && ERROR_CODES.includes(code) ? (code as ErrorCode) : "refused",
  };
}

/**
 * The answer of a request the server did not answer in time: "not now", as
 * far as the caller's choices go, but it may have been done. One object, so
 * that `isUnanswered` can tell it from a server's own "unavailable".
 */
const UNANSWERED: Refusal = Object.freeze({ ok: false, error: "the server did not answer; try again", code: "unavailable" });

export function isUnanswered(answer: Ack<object>): boolean {
  return answer === UNANSWERED;
}

/**
 * Send one request and wait for its Ack. (The event map types acks as
 * optional parameters, which `socket.timeout()` cannot decorate, so the
 * timeout is kept here.)
 */
function request<T extends object>(send: (ack: AckCallback<T>) => void): Promise<Ack<T>> {
  return new Promise((resolve) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      resolve(UNANSWERED);
    }, ACK_TIMEOUT_MS);
    send((response) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(toAck<T>(response));
    });
  });
}

/** Who the server says this page is, once registered: initials as normalised, and the id and colour others see. */
export interface Registered {
  initials: string;
  id: string;
  colour: string;
}

export function registerPlayer(socket: CirclesSocket, initials: string): Promise<Ack<Registered>> {
  return request((ack) => socket.emit("register-player", initials, ack));
}

/** `message.op` makes a resend safe. */
export function sendMessage(socket: CirclesSocket, message: ChatInput): Promise<Ack> {
  return request((ack) => socket.emit("message", message, ack));
}

/** Volatile: a move that cannot go at once is dropped, as the next one replaces it. */
export function moveCursor(socket: CirclesSocket, position: CursorPosition): void {
  socket.volatile.emit("cursor", position);
}

/** With the circle's own `id`, made by the page: sent again, it is answered as the first time and drawn once. */
export function addCircle(socket: CirclesSocket, circle: CircleRequest): Promise<Ack<{ circle: Circle; seq: number }>> {
  return request((ack) => socket.emit("add-circle", circle, ack));
}

/*
 * Every other write carries an operation id (`op`), one per thing the player
 * did, reused by each resend of it: the server does it once.
 */

export function clearCircles(socket: CirclesSocket, op: string): Promise<Ack<{ seq: number }>> {
  return request((ack) => socket.emit("clear-circles", { op }, ack));
}

/** Remove this player's circle `id`, or without one, their newest, for everyone. */
export function undoCircle(socket: CirclesSocket, which: { id?: string; op: string }): Promise<Ack<{ seq: number; id: string }>> {
  return request((ack) => socket.emit("undo-circle", which, ack));
}

/** Bring back what the clear of `seq` removed. */
export function undoClear(socket: CirclesSocket, seq: number, op: string): Promise<Ack<{ seq: number }>> {
  return request((ack) => socket.emit("undo-clear", { seq, op }, ack));
}

/**
 * Become the host of a board nobody has used yet: with the handshake's host
 * key (the board this browser made), or `hostKey`, made for it now, which
 * every later handshake of this page then carries.
 */
export async function claimBoard(socket: CirclesSocket, op: string, hostKey?: string): Promise<Ack> {
  const answer = await request((ack) => socket.emit("claim-board", hostKey === undefined ? { op } : { hostKey, op }, ack));
  if (answer.ok && hostKey !== undefined) (socket.auth as Partial<HandshakeAuth>).hostKey = hostKey;
  return answer;
}

/** The host only: let only the host clear, or anyone again. */
export function lockBoard(socket: CirclesSocket, locked: boolean, op: string): Promise<Ack<{ locked: boolean }>> {
  return request((ack) => socket.emit("lock-board", { locked, op }, ack));
}

/** The host only: who may draw and who may chat. */
export function setRules(socket: CirclesSocket, rules: Partial<RoomRules>, op: string): Promise<Ack<{ rules: BoardRules }>> {
  return request((ack) => socket.emit("set-rules", { ...rules, op }, ack));
}

/** The host only: send a player away, with their circles, and keep them out. */
export function removePlayer(socket: CirclesSocket, id: string, op: string): Promise<Ack<{ removed: number }>> {
  return request((ack) => socket.emit("remove-player", { id, op }, ack));
}

/** The host only: let a removed player back in. */
export function readmitPlayer(socket: CirclesSocket, id: string, op: string): Promise<Ack> {
  return request((ack) => socket.emit("readmit-player", { id, op }, ack));
}

/** The host only: delete the board for everyone. */
export function deleteBoard(socket: CirclesSocket, op: string): Promise<Ack> {
  return request((ack) => socket.emit("delete-board", { op }, ack));
}

/**
 * Delete a board this page is not on (from "Your boards"): a connection of
 * its own to that board, with its host key, just for the request, closed
 * once answered.
 */
export function deleteOtherBoard(board: string, auth: HandshakeAuth, op: string): Promise<Ack> {
  // WebSocket first (long-polling only if it fails): the server closes every connection of a deleted board, this one
  // too, and a poll under way as it does would be answered with an error.
  const socket: CirclesSocket = io({
    query: handshakeQuery(board, undefined),
    auth: authOf(auth),
    forceNew: true,
    reconnection: false,
    transports: ["websocket", "polling"],
    tryAllTransports: true,
  });
  return new Promise<Ack>((resolve) => {
    const done = (answer: Ack) => {
      clearTimeout(timer);
      socket.off();
      socket.disconnect();
      resolve(answer);
    };
    const timer = setTimeout(() => done(UNANSWERED), ACK_TIMEOUT_MS);
    socket.once("connect_error", (error) => done({ ok: false, error: error.message || "cannot reach the server", code: "unavailable" }));
    socket.once("connect", () => void deleteBoard(socket, op).then(done));
  });
}

/** What the page missed since `since`: the changes, or the whole board when that is cheaper. */
export function syncBoard(socket: CirclesSocket, since: number): Promise<Ack<BoardSync>> {
  return request((ack) => socket.emit("sync-board", since, ack));
}
