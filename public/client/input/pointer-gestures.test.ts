import { describe, expect, it } from "vitest";
import { GestureTracker, TAP_MAX_MS, TAP_SLOP_PX, type Gesture, type PointerSample } from "./pointer-gestures.js";

type Step = ["down" | "move" | "up" | "cancel", Partial<PointerSample> & { id?: number }];

/** Feeds the steps in order and returns every gesture they produced. */
function run(steps: Step[], tracker = new GestureTracker()): Gesture[] {
  let time = 0;
  const gestures: Gesture[] = [];
  for (const [kind, partial] of steps) {
    time = partial.time ?? time + 16;
    const sample: PointerSample = { id: 1, x: 0, y: 0, type: "touch", ...partial, time };
    const gesture = tracker[kind](sample);
    if (gesture) gestures.push(gesture);
  }
  return gestures;
}

describe("taps", () => {
  it("a finger down and up in place is a tap where it went down", () => {
    expect(
      run([
        ["down", { x: 100, y: 200 }],
        ["up", { x: 100, y: 200 }],
      ]),
    ).toEqual([{ kind: "tap", x: 100, y: 200 }]);
  });

  it("a little jitter is still a tap", () => {
    const d = TAP_SLOP_PX / Math.SQRT2 - 0.5;
    expect(
      run([
        ["down", { x: 100, y: 200 }],
        ["move", { x: 100 + d, y: 200 + d }],
        ["up", { x: 100 + d, y: 200 + d }],
      ]),
    ).toEqual([{ kind: "tap", x: 100, y: 200 }]);
  });

  it("a finger held too long is not a tap, a slow mouse click is", () => {
    const hold = TAP_MAX_MS + 1;
    expect(
      run([
        ["down", { time: 0 }],
        ["up", { time: hold }],
      ]),
    ).toEqual([]);
    expect(
      run([
        ["down", { time: 0, type: "pen" }],
        ["up", { time: hold, type: "pen" }],
      ]),
    ).toEqual([]);
    expect(
      run([
        ["down", { time: 0, type: "mouse" }],
        ["up", { time: 5000, type: "mouse" }],
      ]),
    ).toEqual([{ kind: "tap", x: 0, y: 0 }]);
  });

  it("a press the browser cancelled is not a tap", () => {
    expect(
      run([
        ["down", {}],
        ["cancel", {}],
      ]),
    ).toEqual([]);
  });

  it("ignores pointers it never saw go down", () => {
    expect(
      run([
        ["move", { id: 9, x: 50 }],
        ["up", { id: 9 }],
        ["cancel", { id: 9 }],
      ]),
    ).toEqual([]);
  });

  it("taps one after another", () => {
    const tracker = new GestureTracker();
    expect(
      run(
        [
          ["down", { x: 1, y: 1 }],
          ["up", { x: 1, y: 1 }],
        ],
        tracker,
      ),
    ).toHaveLength(1);
    expect(
      run(
        [
          ["down", { id: 2, x: 5, y: 5 }],
          ["up", { id: 2, x: 5, y: 5 }],
        ],
        tracker,
      ),
    ).toEqual([{ kind: "tap", x: 5, y: 5 }]);
  });
});

describe("drags", () => {
  it("moving past the slop drags from where the finger went down, then step by step, and ends", () => {
    expect(
      run([
        ["down", { x: 100, y: 100 }],
        ["move", { x: 105, y: 100 }],
        ["move", { x: 120, y: 100 }],
        ["move", { x: 130, y: 90 }],
        ["up", { x: 130, y: 90 }],
      ]),
    ).toEqual([
      { kind: "move", from: { x: 100, y: 100 }, to: { x: 120, y: 100 }, ratio: 1 },
      { kind: "move", from: { x: 120, y: 100 }, to: { x: 130, y: 90 }, ratio: 1 },
      { kind: "end" },
    ]);
  });

  it("a drag that comes back to where it started is still no tap", () => {
    expect(
      run([
        ["down", { x: 0 }],
        ["move", { x: 50 }],
        ["move", { x: 0 }],
        ["up", { x: 0 }],
      ]).map((g) => g.kind),
    ).toEqual(["move", "move", "end"]);
  });

  it("a cancelled drag still ends", () => {
    expect(
      run([
        ["down", { x: 0 }],
        ["move", { x: 50 }],
        ["cancel", { x: 50 }],
      ]).at(-1),
    ).toEqual({ kind: "end" });
  });
});

describe("pinches", () => {
  it("two fingers spreading zoom about the point between them", () => {
    const gestures = run([
      ["down", { id: 1, x: 100, y: 100 }],
      ["down", { id: 2, x: 200, y: 100 }],
      ["move", { id: 2, x: 300, y: 100 }],
      ["move", { id: 1, x: 0, y: 100 }],
    ]);
    expect(gestures).toEqual([
      { kind: "move", from: { x: 150, y: 100 }, to: { x: 200, y: 100 }, ratio: 2 },
      { kind: "move", from: { x: 200, y: 100 }, to: { x: 150, y: 100 }, ratio: 1.5 },
    ]);
  });

  it("never ends in a tap, even when both fingers barely moved", () => {
    const gestures = run([
      ["down", { id: 1, x: 100, y: 100 }],
      ["down", { id: 2, x: 200, y: 100 }],
      ["up", { id: 2, x: 200, y: 100 }],
      ["up", { id: 1, x: 100, y: 100 }],
    ]);
    expect(gestures).toEqual([{ kind: "end" }]);
  });

  it("a second finger joining a press turns it into a pinch, not a tap", () => {
    const gestures = run([
      ["down", { id: 1, x: 100, y: 100 }],
      ["down", { id: 2, x: 150, y: 100 }],
      ["up", { id: 1, x: 100, y: 100 }],
      ["up", { id: 2, x: 150, y: 100 }],
    ]);
    expect(gestures.some((g) => g.kind === "tap")).toBe(false);
  });

  it("the finger left after a pinch drags on from where it is", () => {
    const gestures = run([
      ["down", { id: 1, x: 100, y: 100 }],
      ["down", { id: 2, x: 200, y: 100 }],
      ["up", { id: 1, x: 100, y: 100 }],
      ["move", { id: 2, x: 203, y: 100 }],
      ["up", { id: 2, x: 203, y: 100 }],
    ]);
    expect(gestures).toEqual([{ kind: "move", from: { x: 200, y: 100 }, to: { x: 203, y: 100 }, ratio: 1 }, { kind: "end" }]);
  });

  it("a third finger is carried along but does not steer", () => {
    const gestures = run([
      ["down", { id: 1, x: 0, y: 0 }],
      ["down", { id: 2, x: 100, y: 0 }],
      ["down", { id: 3, x: 50, y: 50 }],
      ["move", { id: 3, x: 500, y: 500 }],
      ["move", { id: 2, x: 200, y: 0 }],
    ]);
    expect(gestures).toEqual([{ kind: "move", from: { x: 50, y: 0 }, to: { x: 100, y: 0 }, ratio: 2 }]);
  });

  it("two fingers on one spot do not divide by zero", () => {
    const gestures = run([
      ["down", { id: 1, x: 10, y: 10 }],
      ["down", { id: 2, x: 10, y: 10 }],
      ["move", { id: 2, x: 20, y: 10 }],
    ]);
    expect(gestures).toEqual([]);
  });
});
