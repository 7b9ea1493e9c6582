import { describe, expect, it } from "vitest";
import { pickColour, PLAYER_COLOURS } from "./player-colours.js";

describe("pickColour", () => {
  it("gives twelve players twelve colours, then starts again with the least used", () => {
    const taken: string[] = [];
    for (let i = 0; i < PLAYER_COLOURS.length; i++) taken.push(pickColour(taken));
    expect(new Set(taken).size).toBe(PLAYER_COLOURS.length);
    expect(pickColour(taken)).toBe(PLAYER_COLOURS[0]);
  });

  it("fills the colour a player who left freed, and ignores watchers and unknown colours", () => {
    const taken = [...PLAYER_COLOURS].filter((colour) => colour !== PLAYER_COLOURS[5]);
    expect(pickColour([...taken, null, "#000000"])).toBe(PLAYER_COLOURS[5]);
  });
});
