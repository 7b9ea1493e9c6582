/**
 * A graceful stop, in the order that loses nothing: refuse new writes and
 * connections, let the writes under way finish and their acknowledgements
 * go out, close every connection so that clients reconnect by themselves
 * (to this server's successor), take its people off the other nodes'
 * lists, then close the link to them and the store.
 */
import type http from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { CirclesServer } from "./io.js";
import type { BoardService } from "./lib/board/board-service.js";
import type { BoardStore } from "./lib/store/board-store.js";

export interface Closeable {
  httpServer: http.Server;
  io: CirclesServer;
  /** Sends the messages still waiting for their tick. */
  flush: () => void;
  /** Who is on the boards: closed once the sockets are, so the other nodes drop this one's people at once. */
  presence: { close(): Promise<void> };
  boards: BoardService;
  store: BoardStore;
  /** The link to the other nodes, closed after Socket.IO. */
  nodes?: { close(): Promise<void> } | undefined;
}

/** How long connections get to flush what they were sent before they are cut. */
const FLUSH_WAIT_MS = 2000;
const POLL_MS = 20;

export async function shutDown({ httpServer, io, flush, presence, boards, store, nodes }: Closeable): Promise<void> {
  // First, so that /readyz fails and no write starts from here on.
  const writesDone = boards.stopWrites();
  let allClosed = false;
  httpServer.close(() => {
    allClosed = true;
  });
  await writesDone;
  // The acknowledgements of the last writes are sent from continuations of
  // those writes: give them a turn of the event loop to reach the buffers.
  await sleep(0);
  flush();
  // A plain close waits until the connection's buffer is flushed; the
  // client sees a transport close, which it answers by reconnecting.
  for (const socket of io.sockets.sockets.values()) socket.conn.close();
  // Keep-alive connections go as soon as their last response is out.
  for (let waited = 0; !allClosed && waited < FLUSH_WAIT_MS; waited += POLL_MS) {
    httpServer.closeIdleConnections();
    await sleep(POLL_MS);
  }
  // Whatever is left (a stalled upload, a handshake not yet finished) is cut.
  httpServer.closeAllConnections();
  await io.close();
  await presence.close();
  await nodes?.close();
  await store.close();
}
