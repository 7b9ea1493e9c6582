/**
 * socket.io-client connections as the browser makes them (WebSocket only),
 * each on its own connection (`forceNew`), never reconnecting.
 */
import { io as connect, type Socket } from "socket.io-client";
import type { CircleInput, ClientToServerEvents, ServerToClientEvents } from "../../lib/events.js";

export type BenchClient = Socket<ServerToClientEvents, ClientToServerEvents>;

export function openClient(url: string, board: string): BenchClient {
  return connect(url, {
    transports: ["websocket"],
    forceNew: true,
    reconnection: false,
    query: { board },
  });
}

/** Resolves once the client has its snapshot and player list (it is then in the board's room). */
export function whenReady(socket: BenchClient, timeoutMs = 10_000): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`client not ready within ${timeoutMs} ms`)), timeoutMs);
    socket.once("update-player-list", () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once("connect_error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** `count` ready clients on `board`, opened `batch` at a time. */
export async function connectMany(url: string, board: string, count: number, batch = 50): Promise<BenchClient[]> {
  const clients: BenchClient[] = [];
  try {
    while (clients.length < count) {
      const group = Array.from({ length: Math.min(batch, count - clients.length) }, () => openClient(url, board));
      clients.push(...group);
      await Promise.all(group.map((socket) => whenReady(socket)));
    }
  } catch (error) {
    closeAll(clients);
    throw error;
  }
  return clients;
}

export function closeAll(clients: readonly BenchClient[]): void {
  for (const socket of clients) socket.disconnect();
}

/**
 * A valid circle whose position encodes `seq`, so that receivers can tell
 * which emit a broadcast answers before the acknowledgement brings its id.
 */
export function numberedCircle(seq: number): CircleInput {
  return {
    initials: "BN",
    x: seq % 1920,
    y: Math.floor(seq / 1920) % 1081,
    dia: 20,
    rgba: "rgba(12, 34, 56, 0.7)",
  };
}

/** The `seq` a circle of `numberedCircle` carries. */
export const seqOf = (circle: { x: number; y: number }) => circle.y * 1920 + circle.x;
