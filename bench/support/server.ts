/**
 * A real circles server for the benchmarks: `createCirclesServer` over a
 * SqliteStore in a fresh temp dir, on 127.0.0.1 and an ephemeral port.
 * `close()` shuts it down gracefully and removes the temp dir.
 */
import fs from "node:fs/promises";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { silentLogger } from "../../lib/logger.js";
import type { RateLimitOptions } from "../../lib/rate-limit.js";
import { SqliteStore } from "../../lib/store/sqlite-store.js";
import { createCirclesServer, type CirclesApp, type ServerConfig } from "../../server.js";

/** As test/support/test-server.ts's `testConfig`; the rate limit is each benchmark's choice. */
const baseConfig: Omit<ServerConfig, "rateLimit"> = {
  maxCircles: 5000,
  maxPayloadBytes: 4096,
  origins: { any: false, allowed: [] },
  trustProxy: 0,
};

export interface BenchServer extends CirclesApp {
  url: string;
  store: SqliteStore;
  dataDir: string;
  config: ServerConfig;
}

export async function startBenchServer(rateLimit: RateLimitOptions): Promise<BenchServer> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "circles-bench-"));
  const store = SqliteStore.open({ dataDir });
  const config: ServerConfig = { ...baseConfig, rateLimit };
  const app = createCirclesServer(store, config, silentLogger);
  await new Promise<void>((resolve) => app.httpServer.listen(0, "127.0.0.1", resolve));
  const { port } = app.httpServer.address() as AddressInfo;
  return {
    ...app,
    url: `http://127.0.0.1:${port}`,
    store,
    dataDir,
    config,
    async close() {
      try {
        await app.close();
      } finally {
        await fs.rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}
