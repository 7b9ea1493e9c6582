/**
 * A graceful stop, in the order that loses nothing: stop taking connections,
 * refuse new writes while the ones under way finish, let their
 * acknowledgements go out, close every connection so that clients reconnect
 * by themselves (to this server's successor), then close the store.
 */
import type http from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { CirclesServer } from "./io.js";
import type { BoardService } from "./lib/board-service.js";
import type { BoardStore } from "./lib/store/board-store.js";

export interface Closeable {
  httpServer: http.Server;
  io: CirclesServer;
  boards: BoardService;
  store: BoardStore;
}

/** How long connections get to flush what they were sent before they are cut. */
const FLUSH_WAIT_MS = 2000;

export async function shutDown({ httpServer, io, boards, store }: Closeable): Promise<void> {
  httpServer.close();
  httpServer.closeIdleConnections();
  await boards.stopWrites();
  // The acknowledgements of the last writes are sent from continuations of
  // those writes: give them a turn of the event loop to reach the buffers.
  await sleep(0);
  // A plain close waits until the connection's buffer is flushed; the
  // client sees a transport close, which it answers by reconnecting.
  for (const socket of io.sockets.sockets.values()) socket.conn.close();
  for (let waited = 0; io.engine.clientsCount > 0 && waited < FLUSH_WAIT_MS; waited += 20) await sleep(20);
  await io.close();
  await store.close();
}
