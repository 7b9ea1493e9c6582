import { describe, expect, it } from "vitest";
import { planWorkers } from "./workers.js";

const redis = { url: "redis://127.0.0.1:6379", prefix: "circles" };

describe("planWorkers", () => {
  it("runs WEB_CONCURRENCY workers when they can share boards through PostgreSQL and Redis", () => {
    expect(planWorkers({ webConcurrency: 4, store: "postgres", redis })).toEqual({ workers: 4 });
    expect(planWorkers({ webConcurrency: 1, store: "sqlite", redis: undefined })).toEqual({ workers: 1 });
  });

  it("runs one, saying what is missing, when they could not", () => {
    expect(planWorkers({ webConcurrency: 2, store: "sqlite", redis: undefined })).toEqual({
      workers: 1,
      why: "WEB_CONCURRENCY=2 asks for 2 workers, but workers share boards only through PostgreSQL and Redis (DATABASE_URL and REDIS_URL are not set): running one",
    });
    expect(planWorkers({ webConcurrency: 3, store: "postgres", redis: undefined }).why).toContain("(REDIS_URL is not set)");
    expect(planWorkers({ webConcurrency: 3, store: "memory", redis }).why).toContain("(DATABASE_URL is not set)");
  });
});
