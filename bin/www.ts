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
import { connectNodes, type NodeLink } from "../socket/redis-nodes.js";

const SHUTDOWN_DEADLINE_MS = 10_000;

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel);
  const store = await openStore(config);
  let nodes: NodeLink | undefined;
  try {
    nodes = config.redis && (await connectNodes(config.redis, logger));
  } catch (error) {
    await store.close();
    throw new StartupError((error as Error).message);
  }
  const app = createCirclesServer(store, config, logger, nodes);
  const { httpServer } = app;

  process.on("uncaughtException", (error) => {
    logger.fatal({ err: error }, "uncaught exception");
    process.exit(1);
  });
  process.on("unhandledRejection", (reason) => {
    logger.fatal({ err: reason }, "unhandled promise rejection");
    process.exit(1);
  });

  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once("error", reject);
      httpServer.listen(config.port, resolve);
    });
  } catch (error) {
    await nodes?.close();
    await store.close();
    throw (error as NodeJS.ErrnoException).code === "EADDRINUSE"
      ? new StartupError(`port ${config.port} is already in use: set PORT to a free one`)
      : error;
  }
  const { port } = httpServer.address() as AddressInfo;
  logger.info({ port, store: config.store, nodes: config.redis ? "redis" : "one" }, `listening on http://localhost:${port}`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    // Heroku sends SIGKILL 30 s after SIGTERM; stop well before, whatever happens.
    setTimeout(() => {
      logger.error({ deadlineMs: SHUTDOWN_DEADLINE_MS }, "shutdown took too long; exiting");
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    app.close().then(
      () => {
        logger.info("stopped");
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

/** A start-up problem the operator can fix, told in one line without a stack. */
class StartupError extends Error {}

main().catch((error: unknown) => {
  // Before the logger exists, stderr is the only place to say what is wrong.
  const known = error instanceof ConfigError || error instanceof StartupError;
  process.stderr.write(`circles: ${known ? error.message : String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
