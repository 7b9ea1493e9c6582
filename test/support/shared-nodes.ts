/**
 * Server processes (the compiled build; run `npm run build` first) as nodes
 * of one deployment, for a test file: on the machine's PostgreSQL, in a
 * database of the file's own, and its Redis, under a key prefix of the
 * file's own, both removed afterwards.
 */
import { afterAll, beforeAll } from "vitest";
import { createTestDatabase, dropTestDatabases } from "./postgres.js";
import { REDIS_URL, removeRedisKeys, testRedisPrefix } from "./redis.js";
import { startNodes, type ServerProcess } from "./server-process.js";
import { connectClient, type ClientOptions, type TestClient } from "./test-server.js";

export interface SharedNodes {
  /** The nodes, once started; a test may add more, which are stopped with them. */
  readonly nodes: ServerProcess[];
  /** The nodes' database, once made. */
  readonly databaseUrl: string;
  /** The nodes' environment, once made, for starting more of them. */
  readonly env: Record<string, string>;
  /** A client of `node`, disconnected after the file's tests. */
  client(node: ServerProcess, options: ClientOptions): Promise<TestClient>;
}

/** Starts `count` nodes before the file's tests, and stops them and removes their data after. */
export function startSharedNodes(count: number): SharedNodes {
  const prefix = testRedisPrefix();
  const clients: TestClient[] = [];
  const shared = {
    nodes: [] as ServerProcess[],
    databaseUrl: "",
    env: {} as Record<string, string>,
    async client(node: ServerProcess, options: ClientOptions): Promise<TestClient> {
      const socket = await connectClient(node.url, options);
      clients.push(socket);
      return socket;
    },
  };

  beforeAll(async () => {
    shared.databaseUrl = await createTestDatabase();
    // Rate limits well above what the tests send, so that none of them is refused.
    shared.env = { DATABASE_URL: shared.databaseUrl, REDIS_URL, REDIS_PREFIX: prefix, RATE_LIMIT_PER_SECOND: "1000", RATE_LIMIT_BURST: "2000" };
    shared.nodes.push(...(await startNodes(count, shared.env)));
  }, 60_000);

  afterAll(async () => {
    for (const socket of clients) socket.disconnect();
    await Promise.all(shared.nodes.splice(0).map((node) => node.stop("SIGTERM")));
    await dropTestDatabases();
    await removeRedisKeys(prefix);
  }, 60_000);

  return shared;
}
