import { describe, expect, it } from "vitest";
import { REPLAY_DRAW_MS, REPLAY_HOLD_MS, REPLAY_STEP_MS, replayDrawMs, replayEndMs, replayShown } from "./replay.js";

describe("replay schedule", () => {
  it("gives each of a few circles a steady step", () => {
    expect(replayDrawMs(3)).toBe(3 * REPLAY_STEP_MS);
    expect(replayShown(0, 3)).toBe(0);
    expect(replayShown(REPLAY_STEP_MS - 1, 3)).toBe(0);
    expect(replayShown(REPLAY_STEP_MS, 3)).toBe(1);
    expect(replayShown(2 * REPLAY_STEP_MS, 3)).toBe(2);
    expect(replayShown(3 * REPLAY_STEP_MS, 3)).toBe(3);
  });

  it.each([1, 14, 15, 1000, 5000])("draws all %i circles within the limit and is over by 4 s", (count) => {
    expect(replayDrawMs(count)).toBeLessThanOrEqual(REPLAY_DRAW_MS);
    expect(replayEndMs(count)).toBeLessThanOrEqual(4000);
    expect(replayShown(replayDrawMs(count), count)).toBe(count);
    expect(replayShown(replayEndMs(count), count)).toBe(count);
  });

  it("never goes backwards and adds circles evenly", () => {
    const count = 5000;
    let last = 0;
    const perFrame: number[] = [];
    for (let t = 0; t <= replayDrawMs(count); t += 16) {
      const shown = replayShown(t, count);
      expect(shown).toBeGreaterThanOrEqual(last);
      perFrame.push(shown - last);
      last = shown;
    }
    expect(Math.max(...perFrame) - Math.min(...perFrame.slice(1))).toBeLessThanOrEqual(1);
  });

  it("holds the finished picture before going back to the live board", () => {
    expect(replayEndMs(3)).toBe(3 * REPLAY_STEP_MS + REPLAY_HOLD_MS);
  });

  it("has nothing to draw for no circles, and shows none before it starts", () => {
    expect(replayDrawMs(0)).toBe(0);
    expect(replayShown(100, 0)).toBe(0);
    expect(replayShown(-50, 10)).toBe(0);
  });
});
