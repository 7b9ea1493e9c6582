import { describe, expect, it } from "vitest";
import { cursorBudget } from "./cursor-budget.js";

describe("cursorBudget", () => {
  it("lets perSecond moves through each second and no more", () => {
    let time = 0;
    const budget = cursorBudget(3, () => time);
    expect([budget(), budget(), budget(), budget()]).toEqual([true, true, true, false]);
    time = 999;
    expect(budget()).toBe(false);
    time = 1000;
    expect([budget(), budget(), budget(), budget()]).toEqual([true, true, true, false]);
  });
});
