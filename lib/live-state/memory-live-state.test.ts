import { describe, expect, it } from "vitest";
import { describeLiveStateContract } from "../../test/live-state-contract.js";
import { LiveHub, MemoryLiveState } from "./memory-live-state.js";

describeLiveStateContract("memory", async () => {
  const hub = new LiveHub();
  let made = 0;
  return {
    node: () => Promise.resolve(new MemoryLiveState({ node: `n${made++}`, hub })),
    cleanup: async () => {
      for (const node of [...hub.nodes]) await node.close();
    },
  };
});

describe("MemoryLiveState", () => {
  it("is a node of its own unless given a hub", () => {
    const [a, b] = [new MemoryLiveState(), new MemoryLiveState()];
    a.join("s1", "room");
    a.register("s1", "AA");
    expect(b.players("room")).toEqual([]);
  });
});
