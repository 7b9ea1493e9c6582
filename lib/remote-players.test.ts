import { describe, expect, it } from "vitest";
import { RemotePlayers } from "./remote-players.js";

describe("RemotePlayers", () => {
  it("keeps each node's players per board, from its heartbeats and its changes", () => {
    const remote = new RemotePlayers(10_000);
    expect(remote.update({ node: "n2", boards: { a: ["AB"], b: ["CD"] }, full: true }, 0)).toEqual({ changed: ["a", "b"], newNode: true });
    expect(remote.update({ node: "n1", boards: { a: ["EF", "GH"] }, full: false }, 0)).toEqual({ changed: ["a"], newNode: true });
    expect(remote.on("a")).toEqual([
      ["n2", ["AB"]],
      ["n1", ["EF", "GH"]],
    ]);
    // The same list again changes nothing; an empty one takes the board off.
    expect(remote.update({ node: "n2", boards: { a: ["AB"] }, full: false }, 1).changed).toEqual([]);
    expect(remote.update({ node: "n1", boards: { a: [] }, full: false }, 1).changed).toEqual(["a"]);
    expect(remote.on("a")).toEqual([["n2", ["AB"]]]);
    // A heartbeat is the whole roster: a board it leaves out has none of that node's players.
    expect(remote.update({ node: "n2", boards: { a: ["AB"] }, full: true }, 2)).toEqual({ changed: ["b"], newNode: false });
    expect(remote.on("b")).toEqual([]);
  });

  it("forgets a node not heard from within the timeout, and says which boards lost players", () => {
    const remote = new RemotePlayers(10_000);
    remote.update({ node: "n1", boards: { a: ["AB"], b: ["CD"] }, full: true }, 0);
    remote.update({ node: "n2", boards: { a: ["EF"] }, full: true }, 0);
    remote.update({ node: "n2", boards: {}, full: false }, 6_000);
    expect(remote.expire(10_000)).toEqual([]);
    expect(remote.expire(10_001)).toEqual(["a", "b"]);
    expect(remote.on("a")).toEqual([["n2", ["EF"]]]);
    expect(remote.expire(16_001)).toEqual(["a"]);
    expect(remote.on("a")).toEqual([]);
  });
});
