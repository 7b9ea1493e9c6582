import { describe, expect, it } from "vitest";
import type { BoardEvent, Circle } from "../protocol/events.js";
import { LiveBoard, RECENT_EVENTS } from "./live-board.js";

const circle = (id: string): Circle => ({ id, initials: "AB", x: 1, y: 2, dia: 3, rgba: "#abc", createdAt: 0 });
const add = (seq: number, id = `c${seq}`): BoardEvent => ({ seq, type: "add", circle: circle(id) });

describe("LiveBoard", () => {
  it("starts from the stored board", () => {
    const live = new LiveBoard("b", { seq: 7, circles: [circle("x")] });
    expect(live.snapshot()).toEqual({ board: "b", seq: 7, circles: [circle("x")] });
  });

  it("applies adds, removes and clears in seq order and skips what it already reflects", () => {
    const live = new LiveBoard("b", { seq: 2, circles: [circle("c1"), circle("c2")] });
    expect(live.apply([add(2, "c2"), add(3), { seq: 4, type: "remove", id: "c1" }])).toEqual([add(3), { seq: 4, type: "remove", id: "c1" }]);
    expect(live.snapshot().circles.map((c) => c.id)).toEqual(["c2", "c3"]);
    expect(live.apply([{ seq: 5, type: "clear" }, add(6)])).toHaveLength(2);
    expect(live.snapshot()).toEqual({ board: "b", seq: 6, circles: [circle("c6")] });
  });

  it("holds a change that arrives before its predecessor until the gap is filled", () => {
    const live = new LiveBoard("b", { seq: 0, circles: [] });
    expect(live.apply([add(2), add(3)])).toEqual([]);
    expect(live.seq).toBe(0);
    expect(live.apply([add(1)])).toEqual([add(1), add(2), add(3)]);
    expect(live.seq).toBe(3);
  });

  it("keeps the last RECENT_EVENTS changes for returning clients", () => {
    const live = new LiveBoard("b", { seq: 0, circles: [] });
    live.apply(Array.from({ length: RECENT_EVENTS + 10 }, (_, i) => add(i + 1)));
    expect(live.since(RECENT_EVENTS + 10)).toEqual([]);
    expect(live.since(10)).toHaveLength(RECENT_EVENTS);
    expect(live.since(9)).toBeUndefined();
  });

  it("catches up from the store past a change that never arrived, keeping those beyond it", () => {
    const live = new LiveBoard("b", { seq: 1, circles: [circle("c1")] });
    live.apply([add(4), add(5)]);
    expect(live.waiting).toBe(true);
    expect(live.replace({ seq: 1, circles: [circle("c1")] })).toBe(false);
    expect(live.waiting).toBe(true);

    expect(live.replace({ seq: 3, circles: [circle("c3")] })).toBe(true);
    expect(live.waiting).toBe(false);
    expect(live.snapshot()).toEqual({ board: "b", seq: 5, circles: [circle("c3"), circle("c4"), circle("c5")] });
    expect(live.since(3)).toEqual([add(4), add(5)]);
    // From before the catch-up, the changes are not known one by one.
    expect(live.since(1)).toBeUndefined();
  });
});

describe("LiveBoard owners", () => {
  const owned = (id: string, owner: string) => ({ ...circle(id), owner });

  it("keeps owners apart: its changes applied, snapshots and changes missed carry none", () => {
    const live = new LiveBoard("b", { seq: 1, circles: [owned("c1", "o1")] });
    const applied = live.apply([{ seq: 2, type: "add", circle: owned("c2", "o2") }]);
    expect(applied).toStrictEqual([{ seq: 2, type: "add", circle: circle("c2") }]);
    expect(live.snapshot().circles).toStrictEqual([circle("c1"), circle("c2")]);
    expect(live.since(1)).toStrictEqual([{ seq: 2, type: "add", circle: circle("c2") }]);
    expect([live.ownerOf("c1"), live.ownerOf("c2")]).toEqual(["o1", "o2"]);
  });

  it("finds an owner's newest circle, passing over others', those skipped and those gone", () => {
    const live = new LiveBoard("b", { seq: 0, circles: [] });
    live.apply([
      { seq: 1, type: "add", circle: owned("a1", "alice") },
      { seq: 2, type: "add", circle: owned("a2", "alice") },
      { seq: 3, type: "add", circle: owned("b1", "bob") },
      { seq: 4, type: "add", circle: circle("nobody") },
    ]);
    expect(live.newestOf("alice", new Set())).toBe("a2");
    expect(live.newestOf("alice", new Set(["a2"]))).toBe("a1");
    live.apply([{ seq: 5, type: "remove", id: "a2" }]);
    expect(live.newestOf("alice", new Set())).toBe("a1");
    expect(live.ownerOf("nobody")).toBeUndefined();
    live.apply([{ seq: 6, type: "clear" }]);
    expect(live.newestOf("alice", new Set())).toBeUndefined();
  });

  it("takes owners and the host from the store when caught up", () => {
    const live = new LiveBoard("b", { seq: 1, circles: [owned("c1", "o1")] });
    live.replace({ seq: 3, circles: [owned("c3", "o3")], host: { hash: "h", locked: true } });
    expect(live.ownerOf("c1")).toBeUndefined();
    expect(live.ownerOf("c3")).toBe("o3");
    expect(live.host).toEqual({ hash: "h", locked: true });
  });
});
