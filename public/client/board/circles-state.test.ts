import { describe, expect, it } from "vitest";
import type { Circle } from "../../../lib/protocol/events.js";
import { CirclesState, type CirclesChange } from "./circles-state.js";

let nextId = 1;
function circle(overrides: Partial<Circle> = {}): Circle {
  return { id: `c${nextId++}`, initials: "AB", x: 100, y: 200, dia: 40, rgba: "rgba(10, 20, 30, 0.8)", createdAt: 1, ...overrides };
}

/** A state and everything it has announced. */
function watched(): { state: CirclesState; changes: CirclesChange[] } {
  const state = new CirclesState();
  const changes: CirclesChange[] = [];
  state.subscribe((change) => changes.push(change));
  return { state, changes };
}

const ids = (state: CirclesState) => [...state.values()].map((c) => c.id);

describe("CirclesState", () => {
  it("starts empty", () => {
    const state = new CirclesState();
    expect(state.size).toBe(0);
    expect(state.list()).toEqual([]);
  });

  it("adds a circle once, announcing it", () => {
    const { state, changes } = watched();
    const a = circle();
    expect(state.add(a)).toBe(true);
    expect(state.size).toBe(1);
    expect(state.list()).toEqual([a]);
    expect(changes).toEqual([{ kind: "add", circle: a }]);
  });

  it("keeps the first of two circles with the same id and stays quiet about the second", () => {
    const { state, changes } = watched();
    const a = circle();
    state.add(a);
    expect(state.add({ ...a, x: 999 })).toBe(false);
    expect(state.list()).toEqual([a]);
    expect(changes).toHaveLength(1);
  });

  it("keeps circles in the order they came, oldest first", () => {
    const state = new CirclesState();
    const [a, b, c] = [circle(), circle(), circle()];
    for (const each of [a, b, c]) state.add(each);
    expect(ids(state)).toEqual([a.id, b.id, c.id]);
  });

  it.each([
    ["null", null],
    ["a string", "circle"],
    ["no id", { ...circle(), id: undefined }],
    ["a numeric id", { ...circle(), id: 7 }],
    ["no colour", { ...circle(), rgba: undefined }],
    ["non-string initials", { ...circle(), initials: 12 }],
    ["x as a string", { ...circle(), x: "10" }],
    ["NaN y", { ...circle(), y: Number.NaN }],
    ["infinite diameter", { ...circle(), dia: Number.POSITIVE_INFINITY }],
  ])("refuses a malformed circle (%s)", (_name, value) => {
    const { state, changes } = watched();
    expect(state.add(value)).toBe(false);
    expect(state.size).toBe(0);
    expect(changes).toEqual([]);
  });

  it("removes a circle by id, announcing which", () => {
    const { state, changes } = watched();
    const [a, b] = [circle(), circle()];
    state.add(a);
    state.add(b);
    expect(state.remove(a.id)).toBe(true);
    expect(ids(state)).toEqual([b.id]);
    expect(changes.at(-1)).toEqual({ kind: "remove", circle: a });
  });

  it("ignores removing what it does not have", () => {
    const { state, changes } = watched();
    state.add(circle());
    for (const id of ["nope", undefined, null, 3, { id: "x" }]) expect(state.remove(id)).toBe(false);
    expect(state.size).toBe(1);
    expect(changes).toHaveLength(1);
  });

  it("clears everything once: a second clear (clear-circles then clear-display) changes nothing", () => {
    const { state, changes } = watched();
    state.add(circle());
    state.add(circle());
    expect(state.clear()).toBe(true);
    expect(state.size).toBe(0);
    expect(state.clear()).toBe(false);
    expect(changes.filter((change) => change.kind === "reset")).toHaveLength(1);
  });

  it("does not announce clearing an empty board", () => {
    const { state, changes } = watched();
    expect(state.clear()).toBe(false);
    expect(changes).toEqual([]);
  });

  it("replaces everything with a snapshot, dropping malformed and repeated circles", () => {
    const { state, changes } = watched();
    const old = circle();
    state.add(old);
    const [a, b] = [circle(), circle()];
    state.replace([a, { nonsense: true }, b, { ...a }, null]);
    expect(ids(state)).toEqual([a.id, b.id]);
    expect(changes.at(-1)).toEqual({ kind: "reset" });
  });

  it("announces a snapshot even when it is empty, so the view redraws", () => {
    const { state, changes } = watched();
    state.replace([]);
    expect(changes).toEqual([{ kind: "reset" }]);
  });

  it("applies broadcasts in the order they came: a circle added after a clear stays", () => {
    const state = new CirclesState();
    const mine = circle();
    const theirs = circle({ initials: "CD" });
    state.add(mine);
    state.clear();
    state.add(theirs);
    expect(state.list()).toEqual([theirs]);
  });

  it("hands out copies", () => {
    const state = new CirclesState();
    const a = circle();
    state.add(a);
    const listed = state.list();
    listed[0]!.x = 5;
    listed.pop();
    expect(state.list()).toEqual([a]);
  });

  it("stops telling a listener that unsubscribed", () => {
    const state = new CirclesState();
    const changes: CirclesChange[] = [];
    const unsubscribe = state.subscribe((change) => changes.push(change));
    state.add(circle());
    unsubscribe();
    state.add(circle());
    state.clear();
    expect(changes).toHaveLength(1);
  });
});
