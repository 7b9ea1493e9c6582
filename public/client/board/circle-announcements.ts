/**
 * The board's changes in words for screen readers: new circles, counted and
 * said at most once per announcer interval ("3 new circles by AB and CD"),
 * and a clear. A snapshot on (re)connecting is not news and stays quiet.
 */
import type { Announcer } from "../announcer.js";
import type { CirclesState } from "./circles-state.js";

const TOPIC = "circles";
/** More names than this and the rest are counted, not read out. */
const MAX_NAMES = 3;

/** "New circle by AB", "3 new circles by AB and CD", "9 new circles by AB, CD, EF and 2 others". */
export function describeNewCircles(initials: readonly string[]): string {
  const count = initials.length;
  const names = [...new Set(initials.filter((name) => name.length > 0))];
  const what = count === 1 ? "New circle" : `${count} new circles`;
  if (names.length === 0) return what;
  const shown = names.slice(0, MAX_NAMES);
  const others = names.length - shown.length;
  const list =
    others > 0
      ? `${shown.join(", ")} and ${others} ${others === 1 ? "other" : "others"}`
      : shown.length === 1
        ? shown[0]
        : `${shown.slice(0, -1).join(", ")} and ${shown.at(-1)}`;
  return `${what} by ${list}`;
}

/** Tell the announcer about every circle added to `state` and about clears; returns the unsubscribe. */
export function announceCircles(state: CirclesState, announcer: Announcer): () => void {
  let size = state.size;
  return state.subscribe((change) => {
    if (change.kind === "add") announcer.tally(TOPIC, change.circle.initials, describeNewCircles);
    else if (change.kind === "reset" && state.size === 0 && size > 0) {
      announcer.drop(TOPIC);
      announcer.say("Board cleared");
    }
    size = state.size;
  });
}
