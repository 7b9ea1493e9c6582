import { describe, expect, it } from "vitest";
import { createFloodGuard } from "./flood-guard.js";

describe("flood guard", () => {
  it("passes events up to the budget, drops the next ones, then cuts off", () => {
    const time = 0;
    const guard = createFloodGuard({ eventsPerSecond: 3, cutOffAfter: 2, cooldownSeconds: 30, now: () => time });
    const counter = guard.counter();
    const verdicts = Array.from({ length: 7 }, () => counter.count());
    expect(verdicts).toEqual(["pass", "pass", "pass", "drop", "drop", "cut-off", "cut-off"]);
  });

  it("starts a fresh count each second, and counts each connection apart", () => {
    let time = 0;
    const guard = createFloodGuard({ eventsPerSecond: 1, cutOffAfter: 5, cooldownSeconds: 30, now: () => time });
    const first = guard.counter();
    const second = guard.counter();
    expect([first.count(), first.count()]).toEqual(["pass", "drop"]);
    expect(second.count()).toBe("pass");
    time += 999;
    expect(first.count()).toBe("drop");
    time += 1;
    expect(first.count()).toBe("pass");
  });

  it("keeps a cut-off address cooling down, and only that address", async () => {
    const guard = createFloodGuard({ eventsPerSecond: 1, cutOffAfter: 1, cooldownSeconds: 30 });
    expect(await guard.isCoolingDown("10.0.0.1")).toBe(false);
    await guard.coolDown("10.0.0.1");
    expect(await guard.isCoolingDown("10.0.0.1")).toBe(true);
    expect(await guard.isCoolingDown("10.0.0.2")).toBe(false);
  });

  it("lets the address back after the cool-down", async () => {
    const guard = createFloodGuard({ eventsPerSecond: 1, cutOffAfter: 1, cooldownSeconds: 1 });
    await guard.coolDown("10.0.0.1");
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await guard.isCoolingDown("10.0.0.1")).toBe(false);
  });
});
