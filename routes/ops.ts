/**
 * For the platform and the operators, not for players:
 * - `GET /healthz`: the process is up (liveness).
 * - `GET /readyz`: every dependency answers, so send traffic (readiness).
 * - `GET /metrics`: Prometheus text.
 * Mounted before the request logger, so probes and scrapes do not fill the log.
 */
import { Router } from "express";
import type { Registry } from "prom-client";
import type { Logger } from "../lib/ops/logger.js";
import { checkReadiness, type ReadinessCheck } from "../lib/ops/readiness.js";

export interface OpsDeps {
  readinessChecks: readonly ReadinessCheck[];
  registry: Registry;
  logger: Logger;
  checkTimeoutMs?: number;
}

export function opsRouter({ readinessChecks, registry, logger, checkTimeoutMs }: OpsDeps): Router {
  const router = Router();
  // Logged when readiness changes, not on every probe.
  let wasReady = true;

  router.use(["/healthz", "/readyz", "/metrics"], (_req, res, next) => {
    res.set("Cache-Control", "no-store");
    next();
  });

  router.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });

  router.get("/readyz", async (_req, res) => {
    const readiness = await checkReadiness(readinessChecks, checkTimeoutMs);
    if (readiness.ready !== wasReady) {
      wasReady = readiness.ready;
      if (readiness.ready) logger.info("ready again");
      else logger.warn({ reason: readiness.reason }, "not ready");
    }
    if (readiness.ready) return void res.json({ status: "ready" });
    res.status(503).json({ status: "unavailable", reason: readiness.reason });
  });

  router.get("/metrics", async (_req, res) => {
    const body = await registry.metrics();
    // Set as is: Express's res.send would rewrite the parameters.
    res.setHeader("Content-Type", registry.contentType);
    res.end(body);
  });

  return router;
}
