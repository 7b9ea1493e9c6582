import { afterEach, describe, expect, it, vi } from "vitest";
import { BOARD_NAME_PATTERN, DEFAULT_BOARD } from "../../../lib/protocol/rules.js";
import { boardPath, NAME_CONSONANTS, NAME_VOWELS, RANDOM_BOARD_NAMES, randomBoardName, readBoardName } from "./board-links.js";

afterEach(() => {
  vi.restoreAllMocks();
});

/** Serves getRandomValues from `bytes`, one a call, then `rest` for ever after. */
function mockRandomBytes(bytes: number[], rest = 0): void {
  vi.spyOn(globalThis.crypto, "getRandomValues").mockImplementation(<T extends ArrayBufferView | null>(array: T): T => {
    (array as unknown as Uint8Array).fill(bytes.shift() ?? rest);
    return array;
  });
}

const WORD = `[${NAME_CONSONANTS}][${NAME_VOWELS}][${NAME_CONSONANTS}][${NAME_VOWELS}][${NAME_CONSONANTS}]`;

describe("randomBoardName", () => {
  it("makes three five-letter words of consonant, vowel, consonant, vowel, consonant: a valid board name", () => {
    for (let i = 0; i < 200; i++) {
      const name = randomBoardName();
      expect(name).toMatch(new RegExp(`^${WORD}-${WORD}-${WORD}$`));
      expect(name).toMatch(BOARD_NAME_PATTERN);
      expect(name).toHaveLength(17);
    }
  });

  it("uses no letter that reads or sounds like another", () => {
    for (const letter of "lo0gq9chwxy1") {
      expect(NAME_CONSONANTS + NAME_VOWELS, letter).not.toContain(letter);
    }
    expect(new Set(NAME_CONSONANTS + NAME_VOWELS).size).toBe((NAME_CONSONANTS + NAME_VOWELS).length);
  });

  it("has at least 40 bits of entropy: 13³·4² names per word, cubed", () => {
    expect(RANDOM_BOARD_NAMES).toBe((13 ** 3 * 4 ** 2) ** 3);
    expect(Math.log2(RANDOM_BOARD_NAMES)).toBeGreaterThanOrEqual(40);
    // Below 2^53, so the product above is exact.
    expect(Number.isSafeInteger(RANDOM_BOARD_NAMES)).toBe(true);
  });

  it("does not repeat itself", () => {
    const names = new Set(Array.from({ length: 1000 }, () => randomBoardName()));
    expect(names.size).toBe(1000);
  });

  it("draws every letter from crypto.getRandomValues", () => {
    const spy = vi.spyOn(globalThis.crypto, "getRandomValues");
    const name = randomBoardName();
    // One byte a letter, and more when one is thrown away (below).
    const bytes = spy.mock.results.map((result) => (result.value as Uint8Array)[0] ?? -1);
    expect(bytes.length).toBeGreaterThanOrEqual(15);
    // The same bytes again make the same name: nothing else went into it.
    vi.restoreAllMocks();
    mockRandomBytes(bytes);
    expect(randomBoardName()).toBe(name);
  });

  it("reaches every letter: byte b picks consonant b mod 13 and vowel b mod 4", () => {
    for (let byte = 0; byte < 26; byte++) {
      mockRandomBytes([], byte);
      const c = NAME_CONSONANTS[byte % 13];
      const v = NAME_VOWELS[byte % 4];
      expect(randomBoardName()).toBe(Array(3).fill(`${c}${v}${c}${v}${c}`).join("-"));
      vi.restoreAllMocks();
    }
  });

  it("throws away the bytes that would favour the first consonants, and draws again", () => {
    // 247 = 19 × 13: bytes from there up would make b–r more likely. 256 is a multiple of 4: vowels take any byte.
    const spy = vi.spyOn(globalThis.crypto, "getRandomValues");
    mockRandomBytes([247, 255, 14, 255, 246, 4, 0]);
    expect(randomBoardName()).toBe("duzab-babab-babab");
    expect(spy).toHaveBeenCalledTimes(17);
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
