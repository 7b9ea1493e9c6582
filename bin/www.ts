/**
 * Entry point: reads the configuration, opens the store, starts listening,
 * and shuts down cleanly on SIGTERM/SIGINT. The only place that reads the
 * environment or listens. With several workers (WEB_CONCURRENCY), the first
 * process listens and hands connections to the workers (`primary.ts`); each
 * worker runs everything else, as a node of its own.
 */
import cluster from "node:cluster";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setupWorker } from "@socket.io/sticky";
import { ConfigError, loadConfig } from "../lib/ops/config.js";
import { createLogger } from "../lib/ops/logger.js";
import { openStore } from "../lib/store/open-store.js";
import { planWorkers } from "../lib/ops/workers.js";
import { createCirclesServer } from "../server.js";
import { connectNodes, type NodeLink } from "../socket/relay/redis-nodes.js";
import { runPrimary, WORKER_READY } from "./primary.js";
import { StartupError } from "./startup-error.js";

const SHUTDOWN_DEADLINE_MS = 10_000;

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const root = createLogger(config.logLevel);
  // A worker's lines say which worker wrote them.
  const logger = cluster.worker ? root.child({ worker: cluster.worker.id }) : root;
  const plan = planWorkers(config);
  if (cluster.isPrimary && plan.why) logger.warn({ webConcurrency: config.webConcurrency }, plan.why);
  if (cluster.isPrimary && plan.workers > 1) return runPrimary(config, logger, plan.workers, SHUTDOWN_DEADLINE_MS);
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

  if (cluster.isWorker) {
    // The primary listens and hands this worker its connections.
    setupWorker(app.io);
    process.send?.(WORKER_READY);
    logger.info("worker ready");
  } else {
    await listen(app.httpServer, config.port, async () => {
      await nodes?.close();
      await store.close();
    });
    const { port } = httpServer.address() as AddressInfo;
    logger.info({ port, store: config.store, nodes: config.redis ? "redis" : "one" }, `listening on http://localhost:${port}`);
  }

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

/** Listens on `port`; on failure, `cleanUp` and say why in one line when the port is taken. */
async function listen(httpServer: Server, port: number, cleanUp: () => Promise<void>): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once("error", reject);
      httpServer.listen(port, resolve);
    });
  } catch (error) {
    await cleanUp();
    throw (error as NodeJS.ErrnoException).code === "EADDRINUSE" ? new StartupError(`port ${port} is already in use: set PORT to a free one`) : error;
  }
}

main().catch((error: unknown) => {
  // Before the logger exists, stderr is the only place to say what is wrong.
  const known = error instanceof ConfigError || error instanceof StartupError;
  process.stderr.write(`circles: ${known ? error.message : String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
