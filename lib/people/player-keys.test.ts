import { describe, expect, it } from "vitest";
import { hostOf, ownerOf } from "./player-keys.js";
import { parseBoardChanges, parseHandshakeAuth } from "../protocol/schemas.js";

const key = "k".repeat(40);

describe("player keys", () => {
  it("keep a stable hash of the key, never the key", () => {
    expect(ownerOf(key)).toBe(ownerOf(key));
    expect(ownerOf(key)).not.toContain(key);
    expect(ownerOf(key)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(ownerOf(key)).not.toBe(ownerOf(`${key}x`));
  });

  it("hash a player key and a host key apart, even when they are the same", () => {
    expect(hostOf(key)).not.toBe(ownerOf(key));
  });

  it("give a hash that crosses nodes as a circle's owner", () => {
    const circle = { id: "c", initials: "AB", x: 1, y: 2, dia: 3, rgba: "#abc", createdAt: 4, owner: ownerOf(key) };
    expect(parseBoardChanges({ board: "b", events: [{ seq: 1, type: "add", circle }] })).toStrictEqual({
      ok: true,
      value: { board: "b", events: [{ seq: 1, type: "add", circle }] },
    });
    expect(parseBoardChanges({ board: "b", events: [{ seq: 1, type: "add", circle: { ...circle, owner: key } }] }).ok).toBe(false);
  });
});

describe("the handshake's auth", () => {
  it("takes a player key and a host key, or neither, and drops anything else", () => {
    expect(parseHandshakeAuth({})).toStrictEqual({ ok: true, value: {} });
    expect(parseHandshakeAuth({ playerKey: key, hostKey: key, token: "x" })).toStrictEqual({ ok: true, value: { playerKey: key, hostKey: key } });
  });

  it.each([
    [{ playerKey: 42 }, "player key must be a string"],
    [{ playerKey: "short" }, "player key must be 22–128 letters, digits, '-' or '_'"],
    [{ playerKey: `${key}!` }, "player key must be 22–128 letters, digits, '-' or '_'"],
    [{ hostKey: "x".repeat(129) }, "host key must be 22–128 letters, digits, '-' or '_'"],
    ["key", "auth must be an object of {playerKey, hostKey, adminKey}"],
  ])("refuses %j, saying why", (auth, error) => {
    expect(parseHandshakeAuth(auth)).toStrictEqual({ ok: false, error });
  });
});
