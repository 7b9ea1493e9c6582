/**
 * How many worker processes one server runs: WEB_CONCURRENCY of them when
 * they can share boards as separate nodes do (PostgreSQL for the boards,
 * Redis between them), else one, with the reason to log. Heroku sets
 * WEB_CONCURRENCY by itself on larger dynos, so asking for more than can run
 * must not stop the app from starting.
 */
import type { Config } from "./config.js";

export interface WorkerPlan {
  workers: number;
  /** Why fewer run than WEB_CONCURRENCY asked for. */
  why?: string;
}

export function planWorkers(config: Pick<Config, "webConcurrency" | "store" | "redis">): WorkerPlan {
  const asked = config.webConcurrency;
  if (asked <= 1) return { workers: 1 };
  const missing = [config.store === "postgres" ? undefined : "DATABASE_URL", config.redis ? undefined : "REDIS_URL"].filter(Boolean);
  if (missing.length === 0) return { workers: asked };
  return {
    workers: 1,
    why:
      `WEB_CONCURRENCY=${asked} asks for ${asked} workers, but workers share boards only through PostgreSQL and Redis ` +
      `(${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} not set): running one`,
  };
}
