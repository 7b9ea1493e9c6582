import { describe, expect, it } from "vitest";
import type { Circle } from "../../lib/protocol/events.js";
import { Announcer } from "./announcer.js";
import { announceCircles, describeNewCircles } from "./board/circle-announcements.js";
import { CirclesState } from "./board/circles-state.js";

/** An announcer on a hand-driven clock, and everything it said, when. */
function rig(intervalMs = 2000) {
  let now = 0;
  let timers: { at: number; run: () => void }[] = [];
  const said: { at: number; message: string }[] = [];
  const announcer = new Announcer({
    speak: (message) => said.push({ at: now, message }),
    intervalMs,
    now: () => now,
    schedule: (run, delayMs) => void timers.push({ at: now + delayMs, run }),
  });
  /** Move the clock on, running every timer due on the way, in order. */
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      const next = timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      timers = timers.filter((t) => t !== next);
      now = next.at;
      next.run();
    }
    now = end;
  };
  return { announcer, said, advance };
}

let nextId = 1;
const circle = (initials: string): Circle => ({
  id: `c${nextId++}`,
  initials,
  x: 10,
  y: 10,
  dia: 30,
  rgba: "rgba(1, 2, 3, 0.5)",
  createdAt: 0,
});

describe("Announcer", () => {
  it("says a message as soon as the turn is over, with a full stop", () => {
    const { announcer, said, advance } = rig();
    announcer.say("Hello there");
    expect(said).toEqual([]);
    advance(0);
    expect(said).toEqual([{ at: 0, message: "Hello there." }]);
  });

  it("says nothing for blank text", () => {
    const { announcer, said, advance } = rig();
    announcer.say("   ");
    advance(5000);
    expect(said).toEqual([]);
  });

  it("speaks at most once per interval, saving up what comes in between", () => {
    const { announcer, said, advance } = rig();
    announcer.say("One");
    advance(0);
    advance(500);
    announcer.say("Two");
    advance(500);
    announcer.say("Three!");
    advance(999);
    expect(said.map((s) => s.message)).toEqual(["One."]);
    advance(1);
    expect(said).toEqual([
      { at: 0, message: "One." },
      { at: 2000, message: "Two. Three!" },
    ]);
  });

  it("counts a burst under one topic and describes it once", () => {
    const { announcer, said, advance } = rig();
    for (const name of ["AB", "CD", "AB"]) announcer.tally("circles", name, describeNewCircles);
    announcer.say("AB says hi");
    advance(0);
    expect(said.map((s) => s.message)).toEqual(["3 new circles by AB and CD. AB says hi."]);
  });

  it("forgets a dropped topic", () => {
    const { announcer, said, advance } = rig();
    announcer.tally("circles", "AB", describeNewCircles);
    announcer.drop("circles");
    announcer.say("Board cleared");
    advance(0);
    expect(said.map((s) => s.message)).toEqual(["Board cleared."]);
  });

  it("a thousand circles in a second are two messages", () => {
    const { announcer, said, advance } = rig();
    for (let i = 0; i < 1000; i++) {
      announcer.tally("circles", "AB", describeNewCircles);
      advance(1);
    }
    advance(5000);
    expect(said.map((s) => s.message)).toEqual(["New circle by AB.", "999 new circles by AB."]);
  });
});

describe("describeNewCircles", () => {
  it.each([
    [["AB"], "New circle by AB"],
    [["AB", "AB"], "2 new circles by AB"],
    [["AB", "CD", "EF"], "3 new circles by AB, CD and EF"],
    [["AB", "CD", "EF", "GH"], "4 new circles by AB, CD, EF and 1 other"],
    [["AB", "CD", "EF", "GH", "IJ", "AB"], "6 new circles by AB, CD, EF and 2 others"],
    [[""], "New circle"],
    [["", "李明"], "2 new circles by 李明"],
  ])("%j → %s", (initials, expected) => {
    expect(describeNewCircles(initials)).toBe(expected);
  });
});

describe("announceCircles", () => {
  it("tallies added circles, says a clear, and stays quiet about snapshots", () => {
    const { announcer, said, advance } = rig();
    const state = new CirclesState();
    announceCircles(state, announcer);
    state.replace([circle("AB"), circle("CD")]);
    advance(3000);
    expect(said).toEqual([]);

    state.add(circle("EF"));
    state.add(circle("GH"));
    advance(0);
    state.add(circle("IJ"));
    state.clear();
    advance(3000);
    expect(said.map((s) => s.message)).toEqual(["2 new circles by EF and GH.", "Board cleared."]);
  });

  it("a snapshot that empties the board is a clear; one of an empty board is not", () => {
    const { announcer, said, advance } = rig();
    const state = new CirclesState();
    announceCircles(state, announcer);
    state.replace([]);
    advance(0);
    state.add(circle("AB"));
    advance(3000);
    state.replace([]);
    advance(3000);
    expect(said.map((s) => s.message)).toEqual(["New circle by AB.", "Board cleared."]);
  });
});
