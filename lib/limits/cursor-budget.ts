/**
 * Pointer moves are many and cheap: a client sends about 30 a second, far
 * more than the flood guard lets other events through. Moves within
 * CURSORS_PER_SECOND pass without counting against that budget; moves past
 * it count like any other event, so a flood of them is still cut off.
 */
const CURSORS_PER_SECOND = 40;

/** A connection's allowance of pointer moves: true while the current one-second window holds at most `perSecond`. */
export function cursorBudget(perSecond = CURSORS_PER_SECOND, now: () => number = Date.now): () => boolean {
  let windowStart = now();
  let moves = 0;
  return () => {
    const time = now();
    if (time - windowStart >= 1000) {
      windowStart = time;
      moves = 0;
    }
    return ++moves <= perSecond;
  };
}
