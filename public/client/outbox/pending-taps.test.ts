import { describe, expect, it } from "vitest";
import { PendingTaps } from "./pending-taps.js";

const circle = { initials: "AB", x: 10, y: 20, dia: 40, rgba: "rgba(1, 2, 3, 0.5)" };

function taps() {
  let changes = 0;
  const pending = new PendingTaps(() => changes++);
  pending.tapped("tap-0001", circle, 5);
  return { pending, ids: () => pending.list().map((c) => c.id), changes: () => changes };
}

describe("PendingTaps: a tap and the board's circle are one", () => {
  it("draws a tap at once, with its id, until the board has it", () => {
    const { pending, ids, changes } = taps();
    expect(pending.list()).toEqual([{ ...circle, id: "tap-0001", createdAt: 5 }]);
    expect(changes()).toBe(1);
    pending.tapped("tap-0001", circle, 6);
    expect(ids()).toEqual(["tap-0001"]);
  });

  it("relayed before the answer: the board's circle takes over at once, and the answer brings nothing back", () => {
    const { pending, ids } = taps();
    pending.boardHas("tap-0001");
    expect(ids()).toEqual([]);
    pending.acknowledged("tap-0001", 7, 7);
    expect(ids()).toEqual([]);
  });

  it("answered before the relay: still drawn until the board reaches the answer's seq", () => {
    const { pending, ids } = taps();
    pending.acknowledged("tap-0001", 7, 6);
    expect(ids()).toEqual(["tap-0001"]);
    pending.boardAt(6);
    expect(ids()).toEqual(["tap-0001"]);
    pending.boardHas("tap-0001");
    expect(ids()).toEqual([]);
  });

  it("answered, then cleared by someone before this page heard of it: gone once the board is past it, not drawn again", () => {
    const { pending, ids } = taps();
    pending.acknowledged("tap-0001", 7, 3);
    // A snapshot at seq 9 (after the add and a clear) does not have it.
    pending.boardShows(() => false);
    expect(ids()).toEqual(["tap-0001"]);
    pending.boardAt(9);
    expect(ids()).toEqual([]);
  });

  it("answered when the board is already past it: gone at once", () => {
    const { pending, ids } = taps();
    pending.acknowledged("tap-0001", 7, 12);
    expect(ids()).toEqual([]);
  });

  it("a snapshot that has the tap (sent by a page closed since) takes it over", () => {
    const { pending, ids } = taps();
    pending.tapped("tap-0002", circle, 6);
    pending.boardShows((id) => id === "tap-0002");
    expect(ids()).toEqual(["tap-0001"]);
  });

  it("refused, undone or too old: gone", () => {
    const { pending, ids, changes } = taps();
    pending.dropped("tap-0001");
    expect(ids()).toEqual([]);
    expect(changes()).toBe(2);
    pending.dropped("tap-0001");
    expect(changes()).toBe(2);
  });
});
