/**
 * Entry point: reads the configuration, opens the store, starts listening,
 * and shuts down cleanly on SIGTERM/SIGINT. The only place that reads the
 * environment or listens.
 */
import type { AddressInfo } from "node:net";
import { ConfigError, loadConfig } from "../lib/config.js";
import { createLogger } from "../lib/logger.js";
import { openStore } from "../lib/store/open-store.js";
import { createCirclesServer } from "../server.js";

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel);
  const store = await openStore(config);
  const { httpServer, io } = createCirclesServer(store, config, logger);

  httpServer.listen(config.port, () => {
    const { port } = httpServer.address() as AddressInfo;
    logger.info({ port, store: config.store }, `listening on http://localhost:${port}`);
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    // io.close() disconnects every socket and closes the HTTP server.
    void io.close(async () => {
      await store.close();
      logger.info("stopped");
      process.exit(0);
    });
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((error: unknown) => {
  // Before the logger exists, stderr is the only place to say what is wrong.
  process.stderr.write(`circles: ${error instanceof ConfigError ? error.message : String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
