/**
 * A real circles server for the benchmarks: `createCirclesServer` over a
 * SqliteStore in a fresh temp dir, on 127.0.0.1 and an ephemeral port.
 * `close()` shuts it down gracefully and removes the temp dir.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { RateLimitOptions } from "../../lib/rate-limit.js";
import { SqliteStore } from "../../lib/store/sqlite-store.js";
import type { ServerConfig } from "../../server.js";
import { startTestServer, testConfig, type TestServer } from "../../test/support/test-server.js";

export interface BenchServer extends TestServer {
  store: SqliteStore;
  dataDir: string;
  config: ServerConfig;
}

/** The integration tests' server, over a store opened here so its commit counts can be read. */
export async function startBenchServer(rateLimit: RateLimitOptions): Promise<BenchServer> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "circles-bench-"));
  const store = await SqliteStore.open({ dataDir });
  const config: ServerConfig = { ...testConfig, rateLimit };
  const server = await startTestServer({ store, config });
  return {
    ...server,
    store,
    dataDir,
    config,
    async close() {
      try {
        await server.close();
      } finally {
        await fs.rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}
