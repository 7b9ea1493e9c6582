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
import type { Circle, ClientToServerEvents, ServerToClientEvents } from "../../lib/protocol/events.js";
import { silentLogger, type Logger } from "../../lib/ops/logger.js";
import type { BoardStore } from "../../lib/store/board-store.js";
import { SqliteStore } from "../../lib/store/sqlite-store.js";
import { createCirclesServer, type CirclesApp, type ServerConfig } from "../../server.js";

export interface ReceivedEvent {
  event: string;
  args: unknown[];
}

/** A typed client that also records every event it has received, in order. */
export type TestClient = Socket<ServerToClientEvents, ClientToServerEvents> & { received: ReceivedEvent[] };

export interface ClientOptions {
  board?: string;
  transports?: ("websocket" | "polling")[];
  /** 2: the batched `board-events` protocol. */
  protocol?: 2;
  /** With protocol 2: the last seq this client applied before. */
  since?: number;
  /** The handshake's `auth`: a player key, a host key (see `socket/events/board-controls.ts`). */
  auth?: Record<string, unknown>;
}

export interface TestServer extends CirclesApp {
  url: string;
  store: BoardStore;
  /** The board's circles as the store holds them. */
  storedCircles(board: string): Promise<Circle[]>;
  /** A connected client; resolves once it has its board snapshot and player list. */
  client(options?: ClientOptions): Promise<TestClient>;
  close(): Promise<void>;
}

export const testConfig: ServerConfig = {
  maxCircles: 5000,
  rateLimit: { perSecond: 1000, burst: 2000 },
  maxPayloadBytes: 4096,
  origins: { any: false, allowed: [] },
  trustProxy: 0,
  adminKey: undefined,
  retentionDays: 30,
};

export async function startTestServer(
  options: {
    config?: Partial<ServerConfig>;
    store?: BoardStore;
    /** Wraps the SQLite store made here, e.g. to record what was written. */
    wrapStore?: (sqlite: BoardStore) => BoardStore;
    logger?: Logger;
  } = {},
): Promise<TestServer> {
  let store: BoardStore;
  // Only the directory made here is removed, never anything of a store passed in.
  let removeDataDir = async () => {};
  if (options.store !== undefined) {
    store = options.store;
  } else {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "circles-test-"));
    store = await SqliteStore.open({ dataDir });
    removeDataDir = () => fs.rm(dataDir, { recursive: true, force: true });
    if (options.wrapStore) store = options.wrapStore(store);
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
    storedCircles: async (board) => (await store.load(board)).circles,
    async client(clientOptions = {}) {
      const socket = await connectClient(url, clientOptions);
      clients.push(socket);
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

/** A client of the server at `url` that records what it receives; resolves once it has its board snapshot and player list. */
export async function connectClient(
  url: string,
  { board, transports = ["websocket"], protocol, since, auth }: ClientOptions = {},
): Promise<TestClient> {
  const query = {
    ...(board === undefined ? {} : { board }),
    ...(protocol === undefined ? {} : { protocol: String(protocol) }),
    ...(since === undefined ? {} : { since: String(since) }),
  };
  const socket = Object.assign(connect(url, { transports, forceNew: true, reconnection: false, query, ...(auth ? { auth } : {}) }), {
    received: [] as ReceivedEvent[],
  });
  socket.onAny((event: string, ...args: unknown[]) => socket.received.push({ event, args }));
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once("update-player-list", () => resolve());
      socket.once("connect_error", reject);
    });
  } catch (error) {
    socket.disconnect();
    throw error;
  }
  return socket;
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

/**
 * How a new `protocol=2` connection to `board` with this `auth` ends: "connected", or the
 * message its refusal (`connect_error`) gave; rejects after `timeoutMs` with neither.
 */
export function connectOutcome(url: string, board: string, auth: Record<string, unknown>, timeoutMs = 5000): Promise<string> {
  const socket = connect(url, { transports: ["websocket"], forceNew: true, reconnection: false, query: { board, protocol: "2" }, auth });
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`neither connected nor refused within ${timeoutMs} ms`)), timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve("connected");
    });
    socket.once("connect_error", (error) => {
      clearTimeout(timer);
      resolve(error.message);
    });
  }).finally(() => socket.disconnect());
}
