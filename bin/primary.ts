/**
 * With WEB_CONCURRENCY workers (see lib/ops/workers.ts): this process listens on
 * PORT and hands each connection to a worker, keeping a long-polling
 * session on the worker that holds it (@socket.io/sticky); the workers share
 * boards as separate nodes do. It starts listening once every worker is
 * ready, starts a worker again when one dies, and on SIGTERM stops them all
 * gracefully and exits once they have.
 */
import cluster, { type Worker } from "node:cluster";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { setupMaster } from "@socket.io/sticky";
import type { Config } from "../lib/ops/config.js";
import type { Logger } from "../lib/ops/logger.js";
import { StartupError } from "./startup-error.js";

/** What a worker tells the primary once it can take connections. */
export const WORKER_READY = "circles:worker-ready";
const READY_TIMEOUT_MS = 30_000;

function fork(): Promise<Worker> {
  const worker = cluster.fork();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new StartupError(`a worker was not ready within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
    worker.on("message", (message: unknown) => {
      if (message !== WORKER_READY) return;
      clearTimeout(timer);
      resolve(worker);
    });
    worker.once("exit", (code) => {
      clearTimeout(timer);
      reject(new StartupError(`a worker exited (${code}) before it was ready`));
    });
  });
}

export async function runPrimary(config: Pick<Config, "port">, logger: Logger, workers: number, deadlineMs: number): Promise<void> {
  // The first bytes of each connection travel with it to its worker as a Buffer, which JSON would not keep.
  cluster.setupPrimary({ serialization: "advanced" });
  const httpServer = http.createServer();
  setupMaster(httpServer, { loadBalancingMethod: "least-connection" });
  try {
    await Promise.all(Array.from({ length: workers }, fork));
  } catch (error) {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill("SIGKILL");
    throw error;
  }
  let stopping = false;
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) return;
    logger.error({ worker: worker.id, code, signal }, "a worker died; starting another");
    fork().catch((error: unknown) => logger.error({ err: error }, "could not start a worker"));
  });
  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once("error", reject);
      httpServer.listen(config.port, resolve);
    });
  } catch (error) {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill("SIGTERM");
    throw (error as NodeJS.ErrnoException).code === "EADDRINUSE"
      ? new StartupError(`port ${config.port} is already in use: set PORT to a free one`)
      : error;
  }
  const { port } = httpServer.address() as AddressInfo;
  logger.info({ port, workers }, `listening on http://localhost:${port}`);

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    setTimeout(() => {
      logger.error({ deadlineMs }, "shutdown took too long; exiting");
      process.exit(1);
    }, deadlineMs).unref();
    httpServer.close();
    const running = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);
    let failed = false;
    let left = running.length;
    for (const worker of running) {
      worker.once("exit", (code) => {
        failed ||= code !== 0;
        if (--left > 0) return;
        logger.info("stopped");
        process.exit(failed ? 1 : 0);
      });
      worker.process.kill("SIGTERM");
    }
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
