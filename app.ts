/**
 * The Express app: pages, static files and the REST API. It never listens;
 * `bin/www.ts` does, so tests can run it on any port.
 */
import express, { type ErrorRequestHandler, type RequestHandler } from "express";
import helmet from "helmet";
import type { BoardService } from "./lib/board/board-service.js";
import type { Logger } from "./lib/ops/logger.js";
import type { Metrics } from "./lib/ops/metrics.js";
import type { OriginPolicy } from "./lib/limits/origins.js";
import { staticDir, viewsDir } from "./lib/ops/paths.js";
import type { LiveState } from "./lib/live-state/live-state.js";
import type { WriteLimiter } from "./lib/limits/rate-limit.js";
import type { ReadinessCheck } from "./lib/ops/readiness.js";
import { apiRouter } from "./routes/api.js";
import { opsRouter } from "./routes/ops.js";
import { originGuard } from "./routes/origin-guard.js";
import { pagesRouter } from "./routes/pages.js";
import { requestLogger } from "./routes/request-log.js";

export interface AppDeps {
  boards: BoardService;
  presence: LiveState;
  logger: Logger;
  maxBodyBytes: number;
  origins: OriginPolicy;
  trustProxy: number;
  /** REST reads per address. */
  readLimiter: WriteLimiter;
  metrics: Metrics;
  /** What /readyz asks: every check must pass. */
  readinessChecks: readonly ReadinessCheck[];
  /** BOARD_RETENTION_DAYS, for the pages to say. */
  retentionDays: number;
  /** The relay's hold on write answers (`io.ts`), for the REST API's writes. */
  afterRelay(board: string, reply: () => void): void;
}

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.set("views", viewsDir);
  app.set("view engine", "ejs");
  app.set("trust proxy", deps.trustProxy);

  app.use(
    helmet({
      contentSecurityPolicy: {
        // Only the app's own bundle, stylesheet, icon and socket; no inline code
        // of any kind, and no HTML-string sinks (Trusted Types). Plain http is
        // not upgraded: the app often runs on localhost or a LAN.
        useDefaults: false,
        directives: {
          defaultSrc: ["'none'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'"],
          connectSrc: ["'self'"],
          baseUri: ["'none'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          requireTrustedTypesFor: ["'script'"],
          trustedTypes: ["'none'"],
        },
      },
    }),
  );
  // Probes, scrapes and static files go before the request logger: not logged.
  app.use(opsRouter({ readinessChecks: deps.readinessChecks, registry: deps.metrics.registry, logger: deps.logger }));
  app.use(express.static(staticDir));
  app.use(requestLogger(deps.logger));
  app.use("/api", originGuard(deps.origins), apiRouter(deps));
  app.use(pagesRouter({ retentionDays: deps.retentionDays }));
  app.use(notFoundPage);
  app.use(errorHandler(deps.logger));
  return app;
}

const notFoundPage: RequestHandler = (_req, res) => {
  res.status(404).render("not-found", { message: "There is no page here." });
};

/** What clients are told of errors Express or the body parser raise: their own texts are not for them. */
const CLIENT_MESSAGES: Record<number, string> = { 400: "invalid JSON", 413: "request body too large" };

/** Last in line: clients get a short message, the log gets the detail. */
function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    // Too late for a status: let Express end the response.
    if (res.headersSent) return next(error);
    // A path segment that does not decode (`/b/%ZZ`) names nothing that exists.
    if (error instanceof URIError) {
      if (req.originalUrl.startsWith("/api/")) return void res.status(400).json({ error: "malformed URL", code: "invalid" });
      return void notFoundPage(req, res, next);
    }
    const status = httpStatusOf(error);
    if (status >= 500) logger.error({ err: error, method: req.method, url: req.originalUrl }, "request failed");
    res
      .status(status)
      .json({ error: CLIENT_MESSAGES[status] ?? (status < 500 ? "bad request" : "internal error"), code: status < 500 ? "invalid" : "internal" });
  };
}

function httpStatusOf(error: unknown): number {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" && status >= 400 && status < 600 ? status : 500;
}
