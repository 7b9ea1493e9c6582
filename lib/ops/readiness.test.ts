import { describe, expect, it } from "vitest";
import { checkReadiness, type ReadinessCheck } from "./readiness.js";

const passing = (name: string): ReadinessCheck => ({ name, check: async () => {} });
const failing = (name: string, message: string): ReadinessCheck => ({
  name,
  check: async () => {
    throw new Error(message);
  },
});

describe("checkReadiness", () => {
  it("is ready with no checks, or when every check passes", async () => {
    expect(await checkReadiness([])).toEqual({ ready: true });
    expect(await checkReadiness([passing("store"), passing("redis")])).toEqual({ ready: true });
  });

  it("names the failing check and its message", async () => {
    expect(await checkReadiness([passing("redis"), failing("store", "store is closed")])).toEqual({
      ready: false,
      reason: "store: store is closed",
    });
  });

  it("lists every failure, in the checks' order", async () => {
    const result = await checkReadiness([failing("store", "disk full"), passing("x"), failing("redis", "ECONNREFUSED")]);
    expect(result).toEqual({ ready: false, reason: "store: disk full; redis: ECONNREFUSED" });
  });

  it("counts a check that throws synchronously, or rejects with a non-error, as failed", async () => {
    const throwing: ReadinessCheck = {
      name: "sync",
      check: () => {
        throw new Error("thrown");
      },
    };
    const odd: ReadinessCheck = { name: "odd", check: () => Promise.reject("just a string") };
    expect(await checkReadiness([throwing, odd])).toEqual({ ready: false, reason: "sync: thrown; odd: just a string" });
  });

  it("fails a check that does not answer in time", async () => {
    const hanging: ReadinessCheck = { name: "redis", check: () => new Promise(() => {}) };
    expect(await checkReadiness([hanging], 20)).toEqual({ ready: false, reason: "redis: no answer within 20 ms" });
  });

  it("keeps the reason short", async () => {
    const result = await checkReadiness([failing("store", "x".repeat(5000))]);
    expect(result.ready).toBe(false);
    if (!result.ready) expect(result.reason.length).toBeLessThan(220);
  });
});
