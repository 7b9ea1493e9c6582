/**
 * The typed Socket.IO connection and the three requests a player makes. Every
 * request is answered with an Ack; a server that does not answer in time
 * counts as an error, so the UI always hears back.
 */
import { io, type Socket } from "socket.io-client";
import type { Ack, AckCallback, Circle, CircleInput, ClientToServerEvents, ServerToClientEvents } from "../../lib/events.js";

export type CirclesSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const ACK_TIMEOUT_MS = 8000;

export function connect(board: string): CirclesSocket {
  const socket: CirclesSocket = io({ query: { board } });
  return socket;
}

/** Check an answer's shape: the server is ours, but a proxy or an old server might say anything. */
function toAck<T extends object>(response: unknown): Ack<T> {
  if (typeof response !== "object" || response === null || !("ok" in response)) {
    return { ok: false, error: "unexpected answer from the server" };
  }
  const answer = response as Ack<T>;
  if (answer.ok === true) return answer;
  const error = (answer as { error?: unknown }).error;
  return { ok: false, error: typeof error === "string" && error ? error : "request refused" };
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
      resolve({ ok: false, error: "the server did not answer; try again" });
    }, ACK_TIMEOUT_MS);
    send((response) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(toAck<T>(response));
    });
  });
}

export function registerPlayer(socket: CirclesSocket, initials: string): Promise<Ack<{ initials: string }>> {
  return request((ack) => socket.emit("register-player", initials, ack));
}

export function addCircle(socket: CirclesSocket, circle: CircleInput): Promise<Ack<{ circle: Circle }>> {
  return request((ack) => socket.emit("add-circle", circle, ack));
}

export function clearCircles(socket: CirclesSocket): Promise<Ack> {
  return request((ack) => socket.emit("clear-circles", ack));
}
