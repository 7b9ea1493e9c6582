import { afterEach, describe, expect, it, vi } from "vitest";
import { BOARD_NAME_PATTERN, DEFAULT_BOARD } from "../../lib/rules.js";
import { boardPath, randomBoardName, readBoardName } from "./board-links.js";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("randomBoardName", () => {
  it("makes 20 lowercase letters and digits: a valid board name", () => {
    for (let i = 0; i < 200; i++) {
      const name = randomBoardName();
      expect(name).toHaveLength(20);
      expect(name).toMatch(/^[a-z0-9]{20}$/);
      expect(name).toMatch(BOARD_NAME_PATTERN);
    }
  });

  it("makes the length asked for", () => {
    expect(randomBoardName(1)).toMatch(/^[a-z0-9]$/);
    expect(randomBoardName(40)).toMatch(BOARD_NAME_PATTERN);
    expect(randomBoardName(40)).toHaveLength(40);
  });

  it("does not repeat itself", () => {
    const names = new Set(Array.from({ length: 1000 }, () => randomBoardName()));
    expect(names.size).toBe(1000);
  });

  it("draws from crypto.getRandomValues", () => {
    const spy = vi.spyOn(globalThis.crypto, "getRandomValues");
    randomBoardName();
    expect(spy).toHaveBeenCalled();
  });

  it("maps bytes onto a–z0–9 and skips those that would bias the first letters", () => {
    // 252 = 7 × 36: bytes from there up would make a–d more likely, so they are thrown away.
    const batches = [[252, 255, 0, 25, 26, 35, 36, 251]];
    vi.spyOn(globalThis.crypto, "getRandomValues").mockImplementation(<T extends ArrayBufferView | null>(array: T): T => {
      const bytes = array as unknown as Uint8Array;
      bytes.fill(253);
      bytes.set(batches.shift() ?? [71]); // 71 = 36 + 35: "9"
      return array;
    });
    // a z 0 9 a 9 from the first batch, then one "9" from each later batch.
    expect(randomBoardName(8)).toBe("az09a999");
  });

  it("keeps drawing when a whole batch is unusable", () => {
    let calls = 0;
    vi.spyOn(globalThis.crypto, "getRandomValues").mockImplementation(<T extends ArrayBufferView | null>(array: T): T => {
      const bytes = array as unknown as Uint8Array;
      bytes.fill(calls++ < 3 ? 255 : 1);
      return array;
    });
    expect(randomBoardName(5)).toBe("bbbbb");
    expect(calls).toBe(4);
  });
});

describe("boardPath", () => {
  it("links the default board at the root and others under /b/", () => {
    expect(boardPath(DEFAULT_BOARD)).toBe("/");
    expect(boardPath("sketch-club")).toBe("/b/sketch-club");
    expect(boardPath("a b")).toBe("/b/a%20b");
  });
});

describe("readBoardName", () => {
  const body = (board?: string) => ({ dataset: board === undefined ? {} : { board } }) as unknown as HTMLElement;

  it("reads the board from <body data-board>", () => {
    expect(readBoardName(body("sketch-club"))).toBe("sketch-club");
  });

  it.each([undefined, "", "Not A Board", "../x", "x".repeat(41)])("falls back to the default board for %j", (board) => {
    expect(readBoardName(body(board))).toBe(DEFAULT_BOARD);
  });
});
