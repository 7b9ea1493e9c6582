import { describe, expect, it } from "vitest";
import { blockedStorage, memoryStorage } from "../people/fake-storage.js";
import { waitingKey } from "./policy.js";
import { WaitingStore, type LastingWrite } from "./waiting-store.js";

const circle = { initials: "AB", x: 10, y: 20, dia: 40, rgba: "rgba(1, 2, 3, 0.5)" };
const tap = (id: string): LastingWrite => ({ kind: "add", id, circle, at: 1_000 });
const undo = (op: string, id: string): LastingWrite => ({ kind: "undo", op, id, at: 2_000 });

describe("WaitingStore", () => {
  it("keeps a board's writes under circles:waiting:<board>, versioned, oldest first", () => {
    const storage = memoryStorage();
    const store = new WaitingStore("math101", () => storage);
    store.put(tap("tap-0001"));
    store.put(undo("undo-0001", "tap-0001"));
    expect(JSON.parse(storage.items.get(waitingKey("math101")) ?? "")).toEqual({
      version: 1,
      writes: [tap("tap-0001"), undo("undo-0001", "tap-0001")],
    });
    expect(waitingKey("math101")).toBe("circles:waiting:math101");
    expect(new WaitingStore("other", () => storage).load()).toEqual([]);
  });

  it("adds each write once, and removes the key with the last write", () => {
    const storage = memoryStorage();
    const store = new WaitingStore("b", () => storage);
    store.put(tap("tap-0001"));
    store.put(tap("tap-0001"));
    expect(store.load()).toEqual([tap("tap-0001")]);
    store.drop(tap("tap-0001"));
    expect(storage.items.size).toBe(0);
  });

  it("tells an undo from the tap it names", () => {
    const storage = memoryStorage();
    const store = new WaitingStore("b", () => storage);
    store.put(tap("tap-0001"));
    store.put(undo("undo-0001", "tap-0001"));
    store.drop(undo("undo-0001", "tap-0001"));
    expect(store.load()).toEqual([tap("tap-0001")]);
  });

  it("two tabs of one board add to the list without dropping each other's writes", () => {
    const storage = memoryStorage();
    const first = new WaitingStore("b", () => storage);
    const second = new WaitingStore("b", () => storage);
    first.put(tap("tap-0001"));
    second.put(tap("tap-0002"));
    first.drop(tap("tap-0001"));
    expect(second.load()).toEqual([tap("tap-0002")]);
  });

  it("leaves out what is not its own format", () => {
    const storage = memoryStorage();
    const store = new WaitingStore("b", () => storage);
    storage.setItem(waitingKey("b"), "not json");
    expect(store.load()).toEqual([]);
    storage.setItem(waitingKey("b"), JSON.stringify({ version: 2, writes: [tap("tap-0001")] }));
    expect(store.load()).toEqual([]);
    storage.setItem(
      waitingKey("b"),
      JSON.stringify({
        version: 1,
        writes: [
          tap("tap-0001"),
          tap("short"),
          { ...tap("tap-0002"), circle: { ...circle, x: "1" } },
          { kind: "clear", op: "clear-0001", at: 1 },
          null,
        ],
      }),
    );
    expect(store.load()).toEqual([tap("tap-0001")]);
  });

  it("does nothing, and throws nothing, when the browser refuses storage", () => {
    const store = new WaitingStore("b", () => blockedStorage);
    expect(() => store.put(tap("tap-0001"))).not.toThrow();
    expect(() => store.drop(tap("tap-0001"))).not.toThrow();
    expect(() => store.clear()).not.toThrow();
    expect(store.load()).toEqual([]);
  });
});
