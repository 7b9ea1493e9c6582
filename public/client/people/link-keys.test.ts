import { describe, expect, it, vi } from "vitest";
import { hostLink, keysInFragment, takeKeysFromAddress, type AddressBar } from "./link-keys.js";

const HOST = "h".repeat(43);
const ADMIN = "admin-key-0123456789";

describe("keysInFragment", () => {
  it("reads a host key, an admin key, or both", () => {
    expect(keysInFragment(`#host=${HOST}`)).toEqual({ hostKey: HOST });
    expect(keysInFragment(`admin=${ADMIN}`)).toEqual({ adminKey: ADMIN });
    expect(keysInFragment(`#host=${HOST}&admin=${ADMIN}`)).toEqual({ hostKey: HOST, adminKey: ADMIN });
  });

  it("names no keys for an empty or plain fragment", () => {
    expect(keysInFragment("")).toBeNull();
    expect(keysInFragment("#")).toBeNull();
    expect(keysInFragment("#players")).toBeNull();
  });

  it("drops a key that is not one, but still counts the fragment as one to take away", () => {
    expect(keysInFragment("#host=short")).toEqual({});
    expect(keysInFragment("#host=<script>&admin=")).toEqual({});
    expect(keysInFragment(`#admin=${"a".repeat(129)}`)).toEqual({});
  });
});

describe("hostLink", () => {
  it("puts the key in the fragment of the board's address, never its query", () => {
    expect(hostLink("https://circles.example/b/bakum-tesip-ridaz", HOST)).toBe(`https://circles.example/b/bakum-tesip-ridaz#host=${HOST}`);
    expect(hostLink("https://circles.example/b/x#old", HOST)).toBe(`https://circles.example/b/x#host=${HOST}`);
    expect(keysInFragment(new URL(hostLink("https://circles.example/b/x", HOST)).hash)).toEqual({ hostKey: HOST });
  });
});

function addressBar(hash: string): AddressBar & { replaceState: ReturnType<typeof vi.fn> } {
  const replaceState = vi.fn();
  return { location: { hash, pathname: "/b/room", search: "?from=qr" }, history: { state: null, replaceState }, replaceState };
}

describe("takeKeysFromAddress", () => {
  it("keeps the keys and takes the fragment out of the address, query kept", () => {
    const keys = { keepHostKey: vi.fn(), keepAdminKey: vi.fn() };
    const bar = addressBar(`#host=${HOST}&admin=${ADMIN}`);
    expect(takeKeysFromAddress("room", keys, bar)).toEqual({ hostKey: HOST, adminKey: ADMIN });
    expect(keys.keepHostKey).toHaveBeenCalledWith("room", HOST);
    expect(keys.keepAdminKey).toHaveBeenCalledWith(ADMIN);
    expect(bar.replaceState).toHaveBeenCalledWith(null, "", "/b/room?from=qr");
  });

  it("leaves an address without keys as it is", () => {
    const keys = { keepHostKey: vi.fn(), keepAdminKey: vi.fn() };
    const bar = addressBar("#players");
    expect(takeKeysFromAddress("room", keys, bar)).toBeNull();
    expect(bar.replaceState).not.toHaveBeenCalled();
    expect(keys.keepHostKey).not.toHaveBeenCalled();
  });
});
