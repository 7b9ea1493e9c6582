/**
 * A real circles server in this process on port 0, with real socket.io-client
 * connections. Everything opened is closed by `close()`.
 *
 * The store is, unless a test passes its own, the production one: a
 * `SqliteStore` in a fresh temporary directory, with its group commit
 * (concurrent writes share a transaction and settle after its commit), which
 * is where ordering bugs live. `close()` removes the directory.
 */
import fs from "node:fs/promises";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { io as connect, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "../../lib/events.js";
import { silentLogger, type Logger } from "../../lib/logger.js";
import type { BoardStore } from "../../lib/store/board-store.js";
import { SqliteStore } from "../../lib/store/sqlite-store.js";
import { createCirclesServer, type CirclesApp, type ServerConfig } from "../../server.js";

export interface ReceivedEvent {
  event: string;
  args: unknown[];
}

/** A typed client that also records every event it has received, in order. */
export type TestClient = Socket<ServerToClientEvents, ClientToServerEvents> & { received: ReceivedEvent[] };

export interface TestServer extends CirclesApp {
  url: string;
  store: BoardStore;
  /** A connected client; resolves once it has its board snapshot and player list. */
  client(options?: { board?: string; transports?: ("websocket" | "polling")[] }): Promise<TestClient>;
  close(): Promise<void>;
}

export const testConfig: ServerConfig = {
  maxCircles: 5000,
  rateLimit: { perSecond: 1000, burst: 2000 },
  maxPayloadBytes: 4096,
  origins: { any: false, allowed: [] },
  trustProxy: 0,
};

export async function startTestServer(
  options: { config?: Partial<ServerConfig>; store?: BoardStore; logger?: Logger } = {},
): Promise<TestServer> {
  let store: BoardStore;
  // Only the directory made here is removed, never anything of a store passed in.
  let removeDataDir = async () => {};
  if (options.store !== undefined) {
    store = options.store;
  } else {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "circles-test-"));
    store = SqliteStore.open({ dataDir });
    removeDataDir = () => fs.rm(dataDir, { recursive: true, force: true });
  }
  const parts = createCirclesServer(store, { ...testConfig, ...options.config }, options.logger ?? silentLogger);
  await new Promise<void>((resolve) => parts.httpServer.listen(0, "127.0.0.1", resolve));
  const { port } = parts.httpServer.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const clients: TestClient[] = [];

  return {
    ...parts,
    url,
    store,
    async client({ board, transports = ["websocket"] } = {}) {
      const socket = Object.assign(
        connect(url, {
          transports,
          forceNew: true,
          reconnection: false,
          ...(board === undefined ? {} : { query: { board } }),
        }),
        { received: [] as ReceivedEvent[] },
      );
      socket.onAny((event: string, ...args: unknown[]) => socket.received.push({ event, args }));
      clients.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once("update-player-list", () => resolve());
        socket.once("connect_error", reject);
      });
      return socket;
    },
    async close() {
      for (const socket of clients) socket.disconnect();
      try {
        await parts.close(); // closes the store too
      } finally {
        await removeDataDir();
      }
    },
  };
}

/** The next `event` the socket receives, or a rejection after `timeoutMs`. */
export function nextEvent<E extends keyof ServerToClientEvents>(
  socket: TestClient,
  event: E,
  timeoutMs = 2000,
): Promise<Parameters<ServerToClientEvents[E]>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener as never);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (...args: Parameters<ServerToClientEvents[E]>) => {
      clearTimeout(timer);
      resolve(args);
    };
    socket.once(event, listener as never);
  });
}
