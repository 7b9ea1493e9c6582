import { describe, expect, it } from "vitest";
import { blockedStorage as blocked, memoryStorage } from "./fake-storage.js";
import { Keys, randomKey } from "./keys.js";

describe("Keys", () => {
  it("makes keys the server accepts: 256 random bits in base64url", () => {
    const key = randomKey();
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomKey()).not.toBe(key);
  });

  it("keeps one player key in storage, across pages", () => {
    const storage = memoryStorage();
    const key = new Keys(() => storage).playerKey();
    expect(new Keys(() => storage).playerKey()).toBe(key);
    expect(storage.items.get("circles.playerKey")).toBe(key);
  });

  it("keeps a host key per board made here, and forgets it", () => {
    const storage = memoryStorage();
    const keys = new Keys(() => storage);
    expect(keys.hostKeyOf("bakum-tesip-ridaz")).toBeUndefined();
    const key = keys.makeHostKey("bakum-tesip-ridaz");
    expect(new Keys(() => storage).hostKeyOf("bakum-tesip-ridaz")).toBe(key);
    expect(keys.hostKeyOf("other")).toBeUndefined();
    keys.forgetHostKey("bakum-tesip-ridaz");
    expect(keys.hostKeyOf("bakum-tesip-ridaz")).toBeUndefined();
  });

  it("keeps a host key given for a board, in place of its own, and one admin key for every board", () => {
    const storage = memoryStorage();
    const keys = new Keys(() => storage);
    keys.makeHostKey("b");
    keys.keepHostKey("b", "k".repeat(43));
    expect(new Keys(() => storage).hostKeyOf("b")).toBe("k".repeat(43));
    expect(keys.adminKey()).toBeUndefined();
    keys.keepAdminKey("a".repeat(20));
    expect(new Keys(() => storage).adminKey()).toBe("a".repeat(20));
  });

  it("keeps its keys for the page when storage is blocked", () => {
    const keys = new Keys(() => blocked);
    const key = keys.playerKey();
    expect(keys.playerKey()).toBe(key);
    const host = keys.makeHostKey("b");
    expect(keys.hostKeyOf("b")).toBe(host);
    keys.forgetHostKey("b");
    expect(keys.hostKeyOf("b")).toBeUndefined();
  });
});
