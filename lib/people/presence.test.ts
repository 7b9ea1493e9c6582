import { beforeEach, describe, expect, it } from "vitest";
import { Presence } from "./presence.js";

describe("Presence", () => {
  let presence: Presence;
  beforeEach(() => {
    presence = new Presence();
  });

  it("starts empty", () => {
    expect(presence.connections).toBe(0);
    expect(presence.playerCount).toBe(0);
    expect(presence.boards()).toEqual(new Set());
    expect(presence.players("default")).toEqual([]);
  });

  it("counts a joined socket as a connection but not as a player until it registers", () => {
    presence.join("s1", "default");
    expect(presence.connections).toBe(1);
    expect(presence.playerCount).toBe(0);
    expect(presence.players("default")).toEqual([]);
    expect(presence.initialsOf("s1")).toBeUndefined();

    expect(presence.register("s1", "AB")).toBe(true);
    expect(presence.connections).toBe(1);
    expect(presence.playerCount).toBe(1);
    expect(presence.players("default")).toEqual(["AB"]);
    expect(presence.initialsOf("s1")).toBe("AB");
  });

  it("refuses to register a socket that never joined", () => {
    expect(presence.register("ghost", "AB")).toBe(false);
    expect(presence.connections).toBe(0);
    expect(presence.playerCount).toBe(0);
    expect(presence.initialsOf("ghost")).toBeUndefined();
  });

  it("lists players in the order their sockets arrived", () => {
    presence.join("s1", "b");
    presence.join("s2", "b");
    presence.join("s3", "b");
    // Registration order differs from arrival order on purpose.
    presence.register("s3", "CC");
    presence.register("s1", "AA");
    presence.register("s2", "BB");
    expect(presence.players("b")).toEqual(["AA", "BB", "CC"]);
  });

  it("keeps the same initials twice when two sockets register them", () => {
    presence.join("s1", "b");
    presence.join("s2", "b");
    presence.register("s1", "AB");
    presence.register("s2", "AB");
    expect(presence.players("b")).toEqual(["AB", "AB"]);
    expect(presence.playerCount).toBe(2);
  });

  it("changes initials in place when a player registers again", () => {
    presence.join("s1", "b");
    presence.join("s2", "b");
    presence.join("s3", "b");
    presence.register("s1", "AA");
    presence.register("s2", "BB");
    presence.register("s3", "CC");

    expect(presence.register("s2", "XY")).toBe(true);
    expect(presence.register("s2", "XY")).toBe(false);
    expect(presence.players("b")).toEqual(["AA", "XY", "CC"]);
    expect(presence.initialsOf("s2")).toBe("XY");
    expect(presence.playerCount).toBe(3);
    expect(presence.connections).toBe(3);
  });

  it("says a player list changed only when a registered player left", () => {
    presence.join("watcher", "b");
    presence.join("player", "b");
    presence.register("player", "PL");

    expect(presence.leave("watcher")).toBe(false);
    expect(presence.connections).toBe(1);
    expect(presence.players("b")).toEqual(["PL"]);

    expect(presence.leave("player")).toBe(true);
    expect(presence.connections).toBe(0);
    expect(presence.playerCount).toBe(0);
    expect(presence.players("b")).toEqual([]);
    expect(presence.initialsOf("player")).toBeUndefined();
  });

  it("changes nothing when an unknown socket leaves, or a socket leaves twice", () => {
    expect(presence.leave("ghost")).toBe(false);
    presence.join("s1", "b");
    presence.register("s1", "AB");
    expect(presence.leave("s1")).toBe(true);
    expect(presence.leave("s1")).toBe(false);
    expect(presence.connections).toBe(0);
  });

  it("keeps boards apart", () => {
    presence.join("a1", "alpha");
    presence.join("b1", "beta");
    presence.join("a2", "alpha");
    presence.register("a1", "A1");
    presence.register("b1", "B1");
    presence.register("a2", "A2");

    expect(presence.players("alpha")).toEqual(["A1", "A2"]);
    expect(presence.players("beta")).toEqual(["B1"]);
    expect(presence.players("gamma")).toEqual([]);

    expect(presence.leave("a1")).toBe(true);
    expect(presence.players("alpha")).toEqual(["A2"]);
    expect(presence.players("beta")).toEqual(["B1"]);
  });

  it("counts connections and players across boards", () => {
    presence.join("a1", "alpha");
    presence.join("a2", "alpha");
    presence.join("b1", "beta");
    presence.join("c1", "gamma");
    presence.register("a1", "A1");
    presence.register("b1", "B1");

    expect(presence.connections).toBe(4);
    expect(presence.playerCount).toBe(2);
  });

  it("lists every board with a connected socket, registered or not", () => {
    presence.join("a1", "alpha");
    presence.join("a2", "alpha");
    presence.join("b1", "beta");
    presence.register("a1", "A1");
    expect(presence.boards()).toEqual(new Set(["alpha", "beta"]));

    presence.leave("b1");
    expect(presence.boards()).toEqual(new Set(["alpha"]));
    presence.leave("a1");
    expect(presence.boards()).toEqual(new Set(["alpha"]));
    presence.leave("a2");
    expect(presence.boards()).toEqual(new Set());
  });

  it("gives each socket's own initials", () => {
    presence.join("s1", "alpha");
    presence.join("s2", "beta");
    presence.register("s1", "AB");
    presence.register("s2", "CD");
    expect(presence.initialsOf("s1")).toBe("AB");
    expect(presence.initialsOf("s2")).toBe("CD");
    expect(presence.initialsOf("s3")).toBeUndefined();
  });
});

describe("Presence, indexed by board", () => {
  it("counts each board's connections and lists only that board's players", () => {
    const presence = new Presence();
    for (let i = 0; i < 5; i++) presence.join(`a${i}`, "a");
    presence.join("b0", "b");
    presence.register("a1", "AA");
    presence.register("b0", "BB");
    expect(presence.connectionsTo("a")).toBe(5);
    expect(presence.connectionsTo("b")).toBe(1);
    expect(presence.connectionsTo("none")).toBe(0);
    expect(presence.players("a")).toEqual(["AA"]);
    expect(presence.players("b")).toEqual(["BB"]);
    expect(presence.playerCount).toBe(2);
  });

  it("builds a board's list once per change and shares it", () => {
    const presence = new Presence();
    presence.join("s1", "b");
    presence.register("s1", "AB");
    const list = presence.players("b");
    expect(presence.players("b")).toBe(list);
    presence.join("s2", "b");
    expect(presence.players("b")).toBe(list);
    presence.register("s2", "CD");
    expect(presence.players("b")).not.toBe(list);
    expect(presence.players("b")).toEqual(["AB", "CD"]);
  });

  it("moves a socket that joins again to its new board", () => {
    const presence = new Presence();
    presence.join("s1", "a");
    presence.register("s1", "AB");
    presence.join("s1", "b");
    expect(presence.players("a")).toEqual([]);
    expect(presence.boards()).toEqual(new Set(["b"]));
    expect(presence.connections).toBe(1);
    expect(presence.playerCount).toBe(0);
  });
});
