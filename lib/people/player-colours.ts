/**
 * The colour that marks a player everywhere (chip, cursor, chat name), chosen
 * by the server so that two players with the same initials can be told
 * apart: the least used on the board, so a board of up to twelve has no two
 * alike. Dark enough for white text and for text on white (WCAG AA).
 */
export const PLAYER_COLOURS = [
  "#c2410c",
  "#1d4ed8",
  "#15803d",
  "#7e22ce",
  "#be123c",
  "#0e7490",
  "#a16207",
  "#4d7c0f",
  "#9d174d",
  "#4338ca",
  "#047857",
  "#b91c1c",
] as const;

/** The first of the least used colours among `inUse`. */
export function pickColour(inUse: Iterable<string | null>): string {
  const counts = new Map<string, number>(PLAYER_COLOURS.map((colour) => [colour, 0]));
  for (const colour of inUse) if (colour !== null && counts.has(colour)) counts.set(colour, (counts.get(colour) ?? 0) + 1);
  let best: string = PLAYER_COLOURS[0];
  for (const colour of PLAYER_COLOURS) if ((counts.get(colour) ?? 0) < (counts.get(best) ?? 0)) best = colour;
  return best;
}
