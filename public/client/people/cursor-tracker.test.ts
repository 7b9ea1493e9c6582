import { afterEach, describe, expect, it, vi } from "vitest";
import { CursorTracker, STILL_MS, throttleLatest } from "./cursor-tracker.js";

const ab = { id: "p1", initials: "AB", colour: "#1d4ed8" };
const cd = { id: "p2", initials: "CD", colour: "#15803d" };

describe("CursorTracker", () => {
  it("draws other players' last positions with their initials and colour, never the page's own", () => {
    const tracker = new CursorTracker();
    tracker.setPlayers([ab, cd]);
    tracker.setSelf("p2");
    tracker.moved(
      {
        cursors: [
          { id: "p1", x: 1, y: 2 },
          { id: "p2", x: 5, y: 5 },
          { id: "ghost", x: 9, y: 9 },
        ],
      },
      0,
    );
    tracker.moved({ cursors: [{ id: "p1", x: 3, y: 4 }] }, 10);
    expect(tracker.visible(10)).toEqual([{ id: "p1", x: 3, y: 4, initials: "AB", colour: "#1d4ed8", movedAt: 10 }]);
  });

  it("forgets a pointer still for STILL_MS, and one whose player left", () => {
    const tracker = new CursorTracker();
    tracker.setPlayers([ab, cd]);
    tracker.moved({ cursors: [{ id: "p1", x: 1, y: 1 }] }, 0);
    tracker.moved({ cursors: [{ id: "p2", x: 1, y: 1 }] }, 1_000);
    expect(tracker.visible(STILL_MS - 1).map((c) => c.id)).toEqual(["p1", "p2"]);
    expect(tracker.visible(STILL_MS).map((c) => c.id)).toEqual(["p2"]);
    tracker.setPlayers([{ ...ab }]);
    expect(tracker.visible(STILL_MS)).toEqual([]);
  });

  it("follows a player's new initials", () => {
    const tracker = new CursorTracker();
    tracker.setPlayers([ab]);
    tracker.moved({ cursors: [{ id: "p1", x: 1, y: 1 }] }, 0);
    tracker.setPlayers([{ ...ab, initials: "XY" }]);
    expect(tracker.visible(1)[0]?.initials).toBe("XY");
  });
});

describe("throttleLatest", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("sends the first at once and the last of a burst when the interval is up, nothing in between", () => {
    vi.useFakeTimers();
    const sent: number[] = [];
    const throttled = throttleLatest(
      (value: number) => sent.push(value),
      33,
      () => Date.now(),
    );
    for (let i = 1; i <= 10; i++) throttled(i);
    expect(sent).toEqual([1]);
    vi.advanceTimersByTime(33);
    expect(sent).toEqual([1, 10]);
    vi.advanceTimersByTime(100);
    expect(sent).toEqual([1, 10]);
    throttled(11);
    expect(sent).toEqual([1, 10, 11]);
  });
});
